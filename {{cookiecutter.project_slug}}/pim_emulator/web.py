"""The Flask application factory: one emulated PIM per app instance."""

import secrets
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from pim_emulator.catalog import Catalog
from pim_emulator.clock import system_clock
from pim_emulator.config import EmulatorConfig
from pim_emulator.state import PimState
from pim_emulator.views import api, app_store, connect, control
from pim_emulator.views.common import CATALOG_KEY, STATE_KEY

# The App runs on the same host (another port) and cookies ignore ports: use a name of our own.
SESSION_COOKIE_NAME = "pim_emulator_session"


def create_app(config: EmulatorConfig, clock: Callable[[], float] | None = None) -> Flask:
    app = Flask(__name__)
    app.secret_key = secrets.token_bytes(32)  # per process: sessions only hold pending consents
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_NAME
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the PIM's key order
    app.extensions[STATE_KEY] = PimState(config, clock or system_clock)
    app.extensions[CATALOG_KEY] = Catalog(config.product_count)
    for blueprint in (app_store.bp, connect.bp, api.bp, control.bp):
        app.register_blueprint(blueprint)
    app.register_error_handler(HTTPException, _api_http_error)

    @app.context_processor
    def pim_user() -> dict[str, Any]:
        return {
            "app_name": config.app_name,
            "user_name": f"{config.user_first_name} {config.user_last_name}",
            "user_email": config.user_email,
        }

    return app


def _api_http_error(error: HTTPException) -> Response | HTTPException:
    """REST API clients get JSON errors ({"code", "message"}), like the PIM; pages keep HTML."""
    if not request.path.startswith("/api/"):
        return error
    message = error.description or error.name
    if error.code == 404:
        message = f'No route found for "{request.method} {request.path}"'
    response = jsonify({"code": error.code, "message": message})
    response.status_code = error.code or 500
    return response
