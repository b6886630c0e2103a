"""The App's routes: /activate and /callback run the Akeneo activation, / shows what it gives."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from flask import Blueprint, jsonify, redirect, render_template, request, session
from werkzeug.wrappers import Response

from .. import APP_NAME
from ..activation import PendingActivations, StateError
from ..oauth import TokenExchangeError, authorize_url, exchange_code
from ..pim_api import AccessDenied, AppDisconnected, PimApiClient, PimApiError, RateLimited
from ..pim_url import InvalidPimUrl, normalize_pim_url
from ..products import ProductSummary, summarize
from ..token_cipher import UndecryptableToken
from ..token_store import Connection
from . import problems
from .pages import render_problem
from .services import services

log = logging.getLogger(__name__)
blueprint = Blueprint("app", __name__)

PENDING_KEY = "pending_activations"
CONNECTED_KEY = "connected_pims"
MAX_REMEMBERED_PIMS = 20  # keeps the signed cookie well under browsers' 4 KB
DASHBOARD_PRODUCT_COUNT = 10


@blueprint.get("/activate")
def activate() -> Response | tuple[str, int]:
    app = services()
    given = request.args.getlist("pim_url")
    if len(given) > 1:
        return render_problem(problems.invalid_pim_url("The pim_url parameter is given more than once."))
    try:
        pim_url = normalize_pim_url(given[0] if given else None, app.settings.allowed_pim_hosts)
    except InvalidPimUrl as error:
        return render_problem(problems.invalid_pim_url(str(error)))

    pending = PendingActivations(session.get(PENDING_KEY))
    state = pending.start(pim_url, app.clock())
    session[PENDING_KEY] = pending.to_session()
    session.permanent = True
    log.info("Activation started for %s", pim_url)
    target = authorize_url(pim_url, app.settings.client_id, app.settings.scope_string, state)
    return redirect(target, code=302)


@blueprint.get("/callback")
def callback() -> Response | tuple[str, int]:
    app = services()
    pending = PendingActivations(session.get(PENDING_KEY))
    try:
        activation = pending.consume(request.args.get("state"), app.clock())
    except StateError as error:
        log.warning("Callback refused: %s state", error.problem.value)
        return render_problem(problems.state_problem(error.problem))
    finally:
        # Whatever happens next, the state is used up.
        session[PENDING_KEY] = pending.to_session()
    pim_url = activation.pim_url

    if request.args.get("error"):
        # The real PIM never sends this, but a proxy or a future PIM might.
        error, description = request.args.get("error", ""), request.args.get("error_description", "")
        return render_problem(problems.pim_reported_error(pim_url, error, description))
    code = request.args.get("code")
    if not code:
        return render_problem(problems.missing_code(pim_url))

    try:
        grant = exchange_code(
            app.http, pim_url, app.settings.client_id, app.settings.client_secret, code, app.timeout
        )
    except TokenExchangeError as error:
        log.warning("Token request to %s failed: %s", pim_url, error.failure.value)
        return render_problem(problems.exchange_failed(error.failure, error.detail, pim_url))

    app.store.save(pim_url, grant.access_token, grant.scopes)
    remember_connected_pim(pim_url)
    log.info("Connected to %s with scopes: %s", pim_url, " ".join(grant.scopes))
    return redirect("/", code=302)


@dataclass
class ConnectionCard:
    connection: Connection
    products: list[ProductSummary] = field(default_factory=list)
    products_endpoint: str = ""
    problem: str = ""


@blueprint.app_template_global()
def reconnect_href(pim_url: str) -> str:
    return problems.restart_action(pim_url).href


@blueprint.get("/")
def dashboard() -> str:
    app = services()
    cards = []
    unreadable = []
    for pim_url in session.get(CONNECTED_KEY, []):
        try:
            connection = app.store.get(pim_url)
        except UndecryptableToken:
            log.error("The token of %s cannot be decrypted with TOKEN_ENCRYPTION_KEY", pim_url)
            unreadable.append(pim_url)
            continue
        if connection is not None:
            cards.append(load_card(connection))
    return render_template(
        "dashboard.html",
        app_name=APP_NAME,
        cards=cards,
        unreadable=unreadable,
        settings=app.settings,
    )


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    try:
        services().store.check()
    except Exception:
        log.exception("Health check: the token store is unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200


def remember_connected_pim(pim_url: str) -> None:
    known = [url for url in session.get(CONNECTED_KEY, []) if url != pim_url]
    session[CONNECTED_KEY] = [pim_url, *known][:MAX_REMEMBERED_PIMS]
    session.permanent = True


def load_card(connection: Connection) -> ConnectionCard:
    card = ConnectionCard(connection)
    if not connection.is_connected:
        card.problem = "disconnected"
        return card
    app = services()
    client = PimApiClient(app.http, connection.pim_url, connection.access_token, app.timeout)
    try:
        page = client.first_products(DASHBOARD_PRODUCT_COUNT)
    except AppDisconnected:
        # Marked once; the page then offers Reconnect instead of retrying a dead token on every load.
        app.store.mark_disconnected(connection.pim_url)
        card.connection = app.store.get(connection.pim_url) or connection
        card.problem = "disconnected"
    except AccessDenied as error:
        card.problem = f"The PIM refused to list products: {error.message} Check the App's scopes."
    except RateLimited as error:
        wait = f" Try again in {error.retry_after} seconds." if error.retry_after else ""
        card.problem = f"The PIM is limiting the App's requests.{wait}"
    except PimApiError as error:
        card.problem = f"The products could not be loaded: {error.message}"
    else:
        card.products = [summarize(item) for item in page.items]
        card.products_endpoint = page.endpoint
    return card
