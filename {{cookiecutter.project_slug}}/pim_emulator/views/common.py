"""What every view needs: the PIM state and catalog of the running app, and the API's error shape."""

from flask import Response, current_app, jsonify, request

from pim_emulator.catalog import Catalog
from pim_emulator.state import ApiCaller, ApiDenied, PimState

STATE_KEY = "pim_emulator.state"
CATALOG_KEY = "pim_emulator.catalog"


def pim() -> PimState:
    state: PimState = current_app.extensions[STATE_KEY]
    return state


def catalog() -> Catalog:
    products: Catalog = current_app.extensions[CATALOG_KEY]
    return products


def api_error(status: int, message: str) -> Response:
    response = jsonify({"code": status, "message": message})
    response.status_code = status
    return response


def authenticate_api_call() -> ApiCaller | Response:
    """The Bearer token's caller, or the PIM's 401 response."""
    caller = pim().authenticate(request.headers.get("Authorization"))
    if isinstance(caller, ApiDenied):
        return api_error(caller.status, caller.message)
    return caller
