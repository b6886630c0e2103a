"""The App's routes, each mapping a request to one core call: /activate and /callback run the Akeneo
activation, / shows what it gives.

Plain `def` handlers: the core is synchronous (requests, SQLAlchemy), and FastAPI runs such handlers in its
thread pool, so a slow PIM holds a thread, never the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from .. import activation
from ..activation import Outcome
from ..dashboard import dashboard_page
from .pages import render, render_problem, services
from .session_cookie import clear_cookie, current_or_new_session, current_session, sign_in

router = APIRouter()
GET = ["GET", "HEAD"]  # as Flask answers HEAD wherever it answers GET


def respond(request: Request, outcome: Outcome, redirect_code: int = 302) -> Response:
    if outcome.problem is not None:
        return render_problem(request, outcome.problem)
    return RedirectResponse(outcome.redirect, status_code=redirect_code)


@router.api_route("/activate", methods=GET)
def activate(request: Request) -> Response:
    return respond(
        request,
        activation.begin(
            services(request),
            request.query_params.getlist("pim_url"),
            lambda: current_or_new_session(request),
        ),
    )


@router.api_route("/callback", methods=GET)
def callback(request: Request) -> Response:
    outcome = activation.complete(
        services(request),
        current_session(request),
        request.query_params,
        lambda session: sign_in(request, session),
    )
    return respond(request, outcome)


@router.api_route("/", methods=GET, response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    if outcome := activation.ask_for_new_scopes(services(request), current_session(request)):
        return respond(request, outcome)
    return render(request, "dashboard.html", **dashboard_page(services(request), current_session(request)))


@router.post("/forget")
def forget(request: Request, pim_url: str = Form(""), csrf_token: str = Form("")) -> Response:
    form = {"pim_url": pim_url, "csrf_token": csrf_token}
    return respond(request, activation.forget(services(request), current_session(request), form), 303)


@router.post("/sign-out")
def sign_out(request: Request, csrf_token: str = Form("")) -> Response:
    outcome = activation.sign_out(services(request), current_session(request), {"csrf_token": csrf_token})
    if outcome.problem is None:
        clear_cookie(request)
    return respond(request, outcome, 303)


@router.api_route("/health", methods=GET)
def health(request: Request) -> Response:
    status, body = services(request).health()
    return JSONResponse(body, status_code=status)
