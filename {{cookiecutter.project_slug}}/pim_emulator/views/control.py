"""The emulator's own JSON control API under /_emulator/, for tests and scripts (not part of a PIM)."""

from typing import Any

from flask import Blueprint, Response, jsonify, request

from pim_emulator.faults import FaultError
from pim_emulator.views.common import pim, reset_all

bp = Blueprint("control", __name__, url_prefix="/_emulator")


@bp.get("/state")
def state() -> Response:
    return jsonify(pim().snapshot())


@bp.get("/faults")
def get_faults() -> Response:
    return jsonify(pim().faults.to_json())


@bp.post("/faults")
def set_faults() -> Response:
    """Partial update: keys left out keep their value, null clears a fault."""
    body: Any = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad_request(
            "send a JSON object of faults to change, for example rate_limit, token_endpoint or latency_ms"
        )
    try:
        faults = pim().update_faults(body)
    except FaultError as error:
        return _bad_request(str(error))
    return jsonify(faults.to_json())


@bp.post("/user")
def switch_user() -> Response:
    """Sign another pretend user in to the PIM: `{"user": "sam"}` (may open Apps, not manage them)."""
    body: Any = request.get_json(silent=True)
    user_id = body.get("user") if isinstance(body, dict) else None
    if user_id not in pim().users:
        return _bad_request(f"user must be one of {', '.join(pim().users)}")
    pim().switch_user(user_id)
    return jsonify(pim().snapshot())


@bp.post("/rotate-key")
def rotate_key() -> Response:
    """A new OpenID signing key: id_tokens from now on are signed with it, and the public key changes."""
    pim().rotate_key()
    return jsonify(pim().snapshot())


@bp.post("/disconnect")
def disconnect() -> Response:
    pim().disconnect()
    return jsonify(pim().snapshot())


@bp.post("/reset")
def reset() -> Response:
    reset_all()
    return jsonify(pim().snapshot())


def _bad_request(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response
