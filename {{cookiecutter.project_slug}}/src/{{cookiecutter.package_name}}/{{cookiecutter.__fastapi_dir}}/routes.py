"""The App's routes: /activate and /callback run the Akeneo activation, / shows what it gives.

Plain `def` handlers: the core is synchronous (requests, SQLAlchemy), and FastAPI runs such handlers in its
thread pool, so a slow PIM holds a thread, never the event loop.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .. import failure_pages
from ..browser_sessions import StateError
from ..dashboard import load_dashboard
from ..oauth import TokenExchangeError, authorize_url, exchange_code
from ..pim_url import InvalidPimUrl, normalize_pim_url
from .pages import render, render_problem, services
from .session_cookie import current_or_new_session, current_session, end_session, sign_in

log = logging.getLogger(__name__)
router = APIRouter()

MAX_CODE_LENGTH = 1024  # Akeneo's codes are 86 characters
GET = ["GET", "HEAD"]


@router.api_route("/activate", methods=GET)
def activate(request: Request) -> Response:
    app = services(request)
    given = request.query_params.getlist("pim_url")
    if len(given) > 1:
        log.info("Activation refused: pim_url given %d times", len(given))
        return render_problem(
            request, failure_pages.invalid_pim_url("The pim_url parameter is given more than once.")
        )
    try:
        pim_url = normalize_pim_url(given[0] if given else None, app.settings.allowed_pim_hosts)
    except InvalidPimUrl as error:
        log.info("Activation refused: %s", error)
        return render_problem(request, failure_pages.invalid_pim_url(str(error)))

    state = app.sessions.start_activation(current_or_new_session(request), pim_url)
    log.info("Activation started for %s", pim_url)
    target = authorize_url(pim_url, app.settings.client_id, app.settings.scope_string, state)
    return RedirectResponse(target, status_code=302)


@router.api_route("/callback", methods=GET)
def callback(request: Request) -> Response:
    app = services(request)
    session = current_session(request)
    try:
        # Consumed whatever happens next: the state is single use.
        activation = app.sessions.consume_activation(session, request.query_params.get("state"))
    except StateError as error:
        log.warning("Callback refused: %s state", error.problem.value)
        return render_problem(request, failure_pages.state_problem(error.problem))
    pim_url = activation.pim_url

    if request.query_params.get("error"):
        # The real PIM never sends this, but a proxy or a future PIM might.
        error = request.query_params.get("error", "")[:200]
        description = request.query_params.get("error_description", "")[:200]
        return render_problem(request, failure_pages.pim_reported_error(pim_url, error, description))
    code = request.query_params.get("code")
    if not code or len(code) > MAX_CODE_LENGTH:
        return render_problem(request, failure_pages.missing_code(pim_url))

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
        return render_problem(request, failure_pages.exchange_failed(error.failure, error.detail, pim_url))

    app.store.save(pim_url, grant.access_token, grant.scopes)
    if session is not None:  # always: consume_activation refuses a missing session
        app.sessions.allow_pim(sign_in(request, session), pim_url)
    log.info("Connected to %s with scopes: %s", pim_url, " ".join(grant.scopes))
    return RedirectResponse("/", status_code=302)


@router.api_route("/", methods=GET, response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    app = services(request)
    session = current_session(request)
    pim_urls = app.sessions.visible_pims(session) if session else []
    return render(
        request,
        "dashboard.html",
        cards=load_dashboard(app, pim_urls),
        session=session,
        activate_url=f"{app.settings.app_url}/activate",
        callback_url=f"{app.settings.app_url}/callback",
        reconnect_href=lambda pim_url: failure_pages.restart_action(pim_url).href,
    )


@router.post("/forget")
def forget(request: Request, pim_url: str = Form(""), csrf_token: str = Form("")) -> Response:
    """The App forgets a PIM: its stored token, and every session's view of it."""
    app = services(request)
    session = current_session(request)
    if not app.sessions.csrf_ok(session, csrf_token) or not app.sessions.may_see(session, pim_url):
        return render_problem(request, failure_pages.forbidden_form())
    app.store.delete(pim_url)
    app.sessions.forget_pim(pim_url)
    log.info("Forgot %s", pim_url)
    return RedirectResponse("/", status_code=303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: str = Form("")) -> Response:
    if not services(request).sessions.csrf_ok(current_session(request), csrf_token):
        return render_problem(request, failure_pages.forbidden_form())
    end_session(request)
    return RedirectResponse("/", status_code=303)


@router.api_route("/health", methods=GET)
def health(request: Request) -> Response:
    try:
        services(request).store.check()
    except Exception:
        log.exception("Health check: the database is unreachable")
        return JSONResponse({"database": "unreachable", "status": "error"}, status_code=503)
    return JSONResponse({"database": "ok", "status": "ok"})
