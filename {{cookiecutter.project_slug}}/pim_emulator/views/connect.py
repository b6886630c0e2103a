"""The Connect endpoints an App talks to: authorize (+ consent pages), token, OpenID public key and
scopes/update."""

import time
from typing import Any

from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from pim_emulator import scopes
from pim_emulator.faults import FAIL, HANG
from pim_emulator.state import (
    APP_NOT_FOUND,
    RESPONSE_TYPE_MUST_BE_CODE,
    RESPONSE_TYPE_NOT_BLANK,
    SCOPE_TOO_LONG,
    AuthorizeForbidden,
    AuthorizeRejected,
    ConsentRequired,
    PendingAuthorization,
    TokenError,
)
from pim_emulator.views.common import authenticate_api_call, pim

bp = Blueprint("connect", __name__)

PENDING_KEY = "pending_authorizations"  # session: {client_id: pending authorization}
NO_PENDING = "pim_emulator.no_pending_authorization"
ERROR_MESSAGES = {
    APP_NOT_FOUND: "No App with this client_id is registered in this PIM.",
    RESPONSE_TYPE_NOT_BLANK: 'The response_type parameter is missing; it must be "code".',
    RESPONSE_TYPE_MUST_BE_CODE: 'The response_type parameter must be "code".',
    SCOPE_TOO_LONG: f"The scope parameter is longer than {scopes.MAX_SCOPE_LENGTH} characters.",
    NO_PENDING: "No authorization request is waiting for this App. Start again from the App Store.",
}


@bp.get("/connect/apps/v1/authorize")
def authorize() -> Response | tuple[str, int]:
    args = request.args
    outcome = pim().authorize(
        client_id=args.get("client_id", ""),
        response_type=args.get("response_type", ""),
        scope=args.get("scope", ""),
        state=args.get("state"),  # None when absent: then the callback gets no state at all
    )
    if isinstance(outcome, AuthorizeRejected):
        # Like the PIM: the error is shown in the PIM's own UI, never sent to the App's callback.
        return redirect(url_for("connect.authorize_page", error=outcome.error_key))
    if isinstance(outcome, AuthorizeForbidden):
        return render_template("error.html", error_key="403", message=outcome.message), 403
    if isinstance(outcome, ConsentRequired):
        pending = dict(session.get(PENDING_KEY, {}))
        pending[outcome.pending.client_id] = outcome.pending.to_session()
        session[PENDING_KEY] = pending
        page = "connect.authorize_page" if outcome.step == "authorize" else "connect.authenticate_page"
        return redirect(url_for(page, client_id=outcome.pending.client_id))
    return redirect(outcome.url)


@bp.get("/connect/apps/authorize")
def authorize_page() -> Response | tuple[str, int]:
    error = request.args.get("error")
    if error is not None:
        return _error_page(error)
    return _consent_page("authorize")


@bp.get("/connect/apps/authenticate")
def authenticate_page() -> Response | tuple[str, int]:
    return _consent_page("authenticate")


@bp.post("/connect/apps/confirm")
def confirm() -> Response | tuple[str, int]:
    client_id = request.form.get("client_id", "")
    remaining = dict(session.get(PENDING_KEY, {}))
    data = remaining.pop(client_id, None)
    if data is None:
        return _error_page(NO_PENDING)
    session[PENDING_KEY] = remaining
    return redirect(pim().approve(PendingAuthorization.from_session(client_id, data)))


def _consent_page(step: str) -> tuple[str, int]:
    client_id = request.args.get("client_id", "")
    data = session.get(PENDING_KEY, {}).get(client_id)
    if data is None:
        return _error_page(NO_PENDING)
    pending = PendingAuthorization.from_session(client_id, data)
    state = pim().snapshot()
    granted = state["granted_scopes"] if state["connected"] else []
    new = scopes.new_scopes(pending.authorization_scopes, granted)
    permissions = [
        {"code": code, "label": scopes.describe(code), "new": code in new}
        for code in scopes.highest(pending.authorization_scopes)
    ]
    return render_template(
        "consent.html",
        step=step,
        first_connection=not state["connected"],
        client_id=client_id,
        permissions=permissions,
        identity=_identity_lines(pending),
    ), 200


def _identity_lines(pending: PendingAuthorization) -> list[str]:
    if not pending.wants_openid:
        return []  # profile/email without openid share nothing
    user = pim().current_user
    lines = ["A user ID for you, unique to this App"]
    if "profile" in pending.authentication_scopes:
        lines.append(f"Your first and last name ({user.name})")
    if "email" in pending.authentication_scopes:
        lines.append(f"Your email address ({user.email})")
    return lines


def _error_page(error_key: str) -> tuple[str, int]:
    message = ERROR_MESSAGES.get(error_key, "The authorization request is not valid.")
    return render_template("error.html", error_key=error_key, message=message), 400


@bp.post("/connect/apps/v1/oauth2/token")
def token() -> Response:
    state = pim()
    state.count_token_request()
    faults = state.faults
    if faults.token_endpoint == FAIL:
        response = jsonify({"code": 500, "message": "Internal server error (injected fault)."})
        response.status_code = 500
        return response
    if faults.token_endpoint == HANG:
        time.sleep(faults.hang_seconds)
    result = state.exchange_code(_body_params())
    response = jsonify(result.to_json())
    if isinstance(result, TokenError):
        response.status_code = 400
    return response


def _body_params() -> dict[str, str]:
    """The POST body, form-encoded or JSON; never the query string (the PIM reads only the body)."""
    if request.is_json:
        body: Any = request.get_json(silent=True)
        if not isinstance(body, dict):
            return {}
        return {str(k): _as_text(v) for k, v in body.items()}
    return request.form.to_dict()


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""  # PHP casts true to "1" and false to ""
    return value if isinstance(value, str) else str(value)


@bp.get("/connect/apps/v1/openid/public-key")
def public_key() -> Response:
    return jsonify({"public_key": pim().public_key_pem()})


@bp.post("/connect/apps/v1/scopes/update")
def scopes_update() -> Response:
    caller = authenticate_api_call()
    if isinstance(caller, Response):
        return caller
    # Only a notification: the App is flagged, its scopes do not change.
    pim().flag_outdated_scopes(request.args.get("scopes", ""))
    return jsonify("Ok")
