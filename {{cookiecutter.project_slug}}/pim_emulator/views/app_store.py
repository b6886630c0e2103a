"""The pages a person clicks through: the App Store with the App's card, Connect/Open/Disconnect,
and forms for the fault controls."""

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from pim_emulator import scopes
from pim_emulator.faults import FaultError
from pim_emulator.openid import ID_TOKEN_FAULTS
from pim_emulator.structure import FAMILIES
from pim_emulator.urls import add_query
from pim_emulator.views.common import app_catalogs, catalog, pim, reset_all

bp = Blueprint("app_store", __name__)


@bp.get("/")
def home() -> Response:
    return redirect(url_for("app_store.app_store"))


@bp.get("/connect/app-store")
def app_store() -> str:
    state = pim()
    config = state.config
    snapshot = state.snapshot()
    connected_at = snapshot["connected_at"]
    return render_template(
        "app_store.html",
        config=config,
        app=snapshot,
        # Connect and Open app use the same URL: the App cannot tell them apart.
        activate_link=add_query(config.activate_url, {"pim_url": config.public_url}),
        granted=[scopes.describe(code) for code in scopes.highest(snapshot["granted_scopes"])],
        connected_since=_format_time(connected_at) if connected_at is not None else None,
        faults=snapshot["faults"],
        product_count=catalog().product_count,
        family_count=len(FAMILIES),
        catalogs=app_catalogs().all(),
        can_manage=state.current_user.can_manage_apps,
        id_token_faults=ID_TOKEN_FAULTS,
    )


@bp.post("/connect/app-store/disconnect")
def disconnect() -> Response:
    if pim().disconnect():
        flash("The App is disconnected: its tokens are revoked and its consent is forgotten.")
    return redirect(url_for("app_store.app_store"), 303)


@bp.post("/connect/app-store/user")
def switch_user() -> Response:
    user_id = request.form.get("user", "")
    if user_id in pim().users:
        user = pim().switch_user(user_id)
        flash(f"Signed in as {user.name}, who {user.role}.")
    return redirect(url_for("app_store.app_store"), 303)


@bp.post("/connect/app-store/rotate-key")
def rotate_key() -> Response:
    pim().rotate_key()
    flash("New OpenID signing key: id_tokens are now signed with it, and the public key has changed.")
    return redirect(url_for("app_store.app_store", _anchor="faults"), 303)


@bp.post("/connect/app-store/faults")
def faults() -> Response:
    try:
        changes = _fault_changes(request.form.to_dict())
        pim().update_faults(changes)
    except FaultError as error:
        flash(f"Faults not changed: {error}.", "error")
    else:
        flash("Faults updated.")
    return redirect(url_for("app_store.app_store", _anchor="faults"), 303)


@bp.post("/connect/app-store/reset")
def reset() -> Response:
    reset_all()
    flash("The emulator is reset: no connection, no tokens, no catalogs, no product edits, no faults.")
    return redirect(url_for("app_store.app_store"), 303)


def _fault_changes(form: dict[str, str]) -> dict[str, Any]:
    if form.get("action") == "clear":
        return {"rate_limit": None, "token_endpoint": None, "latency_ms": 0, "id_token": None}
    mode = form.get("token_endpoint") or None
    return {
        "id_token": form.get("id_token") or None,
        "rate_limit": {
            "count": _form_number(form, "rate_limit_count", 0),
            "retry_after": _form_number(form, "retry_after", 1),
        },
        "token_endpoint": mode,
        "hang_seconds": _form_number(form, "hang_seconds", 20),
        "latency_ms": _form_number(form, "latency_ms", 0),
    }


def _form_number(form: dict[str, str], name: str, default: int) -> int | float:
    raw = form.get(name, "").strip()
    if not raw:
        return default
    try:
        number = float(raw)
    except ValueError:
        raise FaultError(f"{name} must be a number") from None
    return int(number) if number.is_integer() else number


def _format_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
