"""What every view needs: the app's PIM state, products and catalogs, the API's guard and error shape."""

import time
from typing import Any

from flask import Response, current_app, g, jsonify, request

from pim_emulator import scopes
from pim_emulator.app_catalogs import AppCatalogs
from pim_emulator.catalog import Catalog
from pim_emulator.pagination import PaginationError
from pim_emulator.product_store import ProductStore
from pim_emulator.state import ApiCaller, ApiDenied, PimState

STATE_KEY = "pim_emulator.state"
PRODUCTS_KEY = "pim_emulator.products"
CATALOGS_KEY = "pim_emulator.app_catalogs"
RATE_LIMIT_MESSAGE = "You have exceeded the limit of API requests per second."


def pim() -> PimState:
    state: PimState = current_app.extensions[STATE_KEY]
    return state


def products() -> ProductStore:
    store: ProductStore = current_app.extensions[PRODUCTS_KEY]
    return store


def catalog() -> Catalog:
    """The generated demo products (before any edit)."""
    return products().generated


def app_catalogs() -> AppCatalogs:
    catalogs: AppCatalogs = current_app.extensions[CATALOGS_KEY]
    return catalogs


def api_error(status: int, message: str) -> Response:
    response = jsonify({"code": status, "message": message})
    response.status_code = status
    return response


def json_response(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


def pagination_error(error: PaginationError) -> Response:
    return json_response(error.to_json(), 422)


def authenticate_api_call() -> ApiCaller | Response:
    """The Bearer token's caller, or the PIM's 401 response."""
    caller = pim().authenticate(request.headers.get("Authorization"))
    if isinstance(caller, ApiDenied):
        return api_error(caller.status, caller.message)
    return caller


def guard_api() -> Response | None:
    """Before every REST call: faults first (they stand for the PIM's edge), then the token."""
    state = pim()
    faults = state.faults
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    retry_after = state.take_rate_limit()
    if retry_after is not None:
        response = api_error(429, RATE_LIMIT_MESSAGE)
        response.headers["Retry-After"] = str(retry_after)
        return response
    caller = authenticate_api_call()
    if isinstance(caller, Response):
        return caller
    g.api_caller = caller
    return None


def caller() -> ApiCaller:
    api_caller: ApiCaller = g.api_caller
    return api_caller


def forbidden_unless(scope: str, action: str) -> Response | None:
    """The PIM's 403 ("Access forbidden. You are not allowed to …") unless the App was granted `scope`."""
    if scopes.allows(caller().granted_scopes, scope):
        return None
    return api_error(403, f"Access forbidden. You are not allowed to {action}.")


def api_url(path: str) -> str:
    """An absolute API URL on the host the request came in on, as the PIM's router builds its links."""
    return f"{request.host_url.rstrip('/')}/api/rest/v1/{path.lstrip('/')}"


def href(url: str) -> dict[str, str]:
    return {"href": url}


def reset_all() -> None:
    """Start over: no connection, tokens, faults, catalogs or product edits."""
    pim().reset()
    products().replace_edits({})
    app_catalogs().load([])
