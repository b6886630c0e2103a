"""The App's routes: /activate and /callback run the Akeneo activation, / shows what it gives."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from .. import APP_NAME, failure_pages
from ..browser_sessions import StateError
from ..dashboard import load_dashboard
from ..oauth import TokenExchangeError, authorize_url, exchange_code
from ..pim_url import InvalidPimUrl, normalize_pim_url
from .pages import render_problem, services
from .session_cookie import current_or_new_session, current_session, end_session, sign_in

log = logging.getLogger(__name__)
blueprint = Blueprint("app", __name__)

MAX_CODE_LENGTH = 1024  # Akeneo's codes are 86 characters


@blueprint.get("/activate")
def activate() -> Response | tuple[str, int]:
    app = services()
    given = request.args.getlist("pim_url")
    if len(given) > 1:
        log.info("Activation refused: pim_url given %d times", len(given))
        return render_problem(failure_pages.invalid_pim_url("The pim_url parameter is given more than once."))
    try:
        pim_url = normalize_pim_url(given[0] if given else None, app.settings.allowed_pim_hosts)
    except InvalidPimUrl as error:
        log.info("Activation refused: %s", error)
        return render_problem(failure_pages.invalid_pim_url(str(error)))

    state = app.sessions.start_activation(current_or_new_session(), pim_url)
    log.info("Activation started for %s", pim_url)
    return redirect(
        authorize_url(pim_url, app.settings.client_id, app.settings.scope_string, state), code=302
    )


@blueprint.get("/callback")
def callback() -> Response | tuple[str, int]:
    app = services()
    session = current_session()
    try:
        # Consumed whatever happens next: the state is single use.
        activation = app.sessions.consume_activation(session, request.args.get("state"))
    except StateError as error:
        log.warning("Callback refused: %s state", error.problem.value)
        return render_problem(failure_pages.state_problem(error.problem))
    pim_url = activation.pim_url

    if request.args.get("error"):
        # The real PIM never sends this, but a proxy or a future PIM might.
        error, description = (
            request.args.get("error", "")[:200],
            request.args.get("error_description", "")[:200],
        )
        return render_problem(failure_pages.pim_reported_error(pim_url, error, description))
    code = request.args.get("code")
    if not code or len(code) > MAX_CODE_LENGTH:
        return render_problem(failure_pages.missing_code(pim_url))

    try:
        grant = exchange_code(
            app.http,
            pim_url,
            app.settings.client_id,
            app.settings.client_secret,
            code,
            app.limits.token_seconds,
        )
    except TokenExchangeError as error:
        log.warning("Token request to %s failed: %s", pim_url, error.failure.value)
        return render_problem(failure_pages.exchange_failed(error.failure, error.detail, pim_url))

    app.store.save(pim_url, grant.access_token, grant.scopes)
    if session is not None:  # always: consume_activation refuses a missing session
        app.sessions.allow_pim(sign_in(session), pim_url)
    log.info("Connected to %s with scopes: %s", pim_url, " ".join(grant.scopes))
    return redirect("/", code=302)


@blueprint.get("/")
def dashboard() -> str:
    app = services()
    session = current_session()
    pim_urls = app.sessions.visible_pims(session) if session else []
    return render_template(
        "dashboard.html",
        app_name=APP_NAME,
        cards=load_dashboard(app, pim_urls),
        session=session,
        activate_url=f"{app.settings.app_url}/activate",
        callback_url=f"{app.settings.app_url}/callback",
        reconnect_href=lambda pim_url: failure_pages.restart_action(pim_url).href,
    )


@blueprint.post("/forget")
def forget() -> Response | tuple[str, int]:
    """The App forgets a PIM: its stored token, and every session's view of it."""
    app = services()
    session = current_session()
    pim_url = request.form.get("pim_url", "")
    if not app.sessions.csrf_ok(session, request.form.get("csrf_token")) or not app.sessions.may_see(
        session, pim_url
    ):
        return render_problem(failure_pages.forbidden_form())
    app.store.delete(pim_url)
    app.sessions.forget_pim(pim_url)
    log.info("Forgot %s", pim_url)
    return redirect("/", code=303)


@blueprint.post("/sign-out")
def sign_out() -> Response | tuple[str, int]:
    if not services().sessions.csrf_ok(current_session(), request.form.get("csrf_token")):
        return render_problem(failure_pages.forbidden_form())
    end_session()
    return redirect("/", code=303)


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    try:
        services().store.check()
    except Exception:
        log.exception("Health check: the database is unreachable")
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok"), 200
