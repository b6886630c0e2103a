"""The App's routes, each mapping a request to one core call: /activate and /callback run the Akeneo
activation, / shows what it gives."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, request
from werkzeug.wrappers import Response

from .. import APP_NAME, activation
from ..activation import Outcome
from ..dashboard import dashboard_page
from .pages import render_problem, services
from .session_cookie import clear_cookie, current_or_new_session, current_session, sign_in

blueprint = Blueprint("app", __name__)


def respond(outcome: Outcome, redirect_code: int = 302) -> Response | tuple[str, int]:
    if outcome.problem is not None:
        return render_problem(outcome.problem)
    return redirect(outcome.redirect, code=redirect_code)


@blueprint.get("/activate")
def activate() -> Response | tuple[str, int]:
    return respond(activation.begin(services(), request.args.getlist("pim_url"), current_or_new_session))


@blueprint.get("/callback")
def callback() -> Response | tuple[str, int]:
    return respond(activation.complete(services(), current_session(), request.args, sign_in))


@blueprint.get("/")
def dashboard() -> Response | str:
    if outcome := activation.ask_for_new_scopes(services(), current_session()):
        return redirect(outcome.redirect)
    return render_template(
        "dashboard.html", app_name=APP_NAME, **dashboard_page(services(), current_session())
    )


@blueprint.post("/forget")
def forget() -> Response | tuple[str, int]:
    return respond(activation.forget(services(), current_session(), request.form), 303)


@blueprint.post("/sign-out")
def sign_out() -> Response | tuple[str, int]:
    outcome = activation.sign_out(services(), current_session(), request.form)
    if outcome.problem is None:
        clear_cookie()
    return respond(outcome, 303)


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    status, body = services().health()
    return jsonify(body), status
