"""The Flask application factory: one emulated PIM per app instance."""

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from pim_emulator.app_catalogs import AppCatalogs
from pim_emulator.catalog import Catalog
from pim_emulator.clock import system_clock
from pim_emulator.config import EmulatorConfig
from pim_emulator.product_store import ProductStore
from pim_emulator.state import PimState
from pim_emulator.state_file import StateFile
from pim_emulator.views import (
    api,
    app_store,
    catalog_screen,
    catalogs_api,
    connect,
    control,
    product_writes,
    structure_api,
)
from pim_emulator.views.common import CATALOGS_KEY, PRODUCTS_KEY, STATE_KEY, pim

# The App runs on the same host (another port) and cookies ignore ports: use a name of our own.
SESSION_COOKIE_NAME = "pim_emulator_session"


def create_app(config: EmulatorConfig, clock: Callable[[], float] | None = None) -> Flask:
    app = routed_app()
    state, store, catalogs = load_pim(app, config, clock)
    if config.state_file:
        _keep_state_in(Path(config.state_file), app, state, store, catalogs)
    return app


def routed_app() -> Flask:
    """The emulator's routes, without a PIM yet (load_pim gives it one)."""
    app = Flask(__name__)
    app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_NAME
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the PIM's key order
    blueprints = (
        app_store.bp,
        connect.bp,
        api.bp,
        product_writes.bp,
        structure_api.bp,
        catalogs_api.bp,
        catalog_screen.bp,
        control.bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    app.register_error_handler(HTTPException, _api_http_error)

    @app.context_processor
    def pim_user() -> dict[str, Any]:
        state = pim()
        config = state.config
        user = state.current_user
        return {
            "app_name": config.app_name,
            "user_name": user.name,
            "user_email": user.email,
            "user_id": user.id,
            "users": list(state.users.values()),
        }

    return app


def load_pim(
    app: Flask, config: EmulatorConfig, clock: Callable[[], float] | None = None
) -> tuple[PimState, ProductStore, AppCatalogs]:
    """Give app a new PIM: fresh state, products and catalogs, and a new session key.

    The routes stay: compiling them is most of an emulator's start-up, which the tests pay hundreds of times.
    """
    app.secret_key = secrets.token_bytes(32)  # per PIM: sessions only hold pending consents
    state = PimState(config, clock or system_clock)
    store = ProductStore(Catalog(config.product_count))
    catalogs = AppCatalogs()
    app.extensions[STATE_KEY] = state
    app.extensions[PRODUCTS_KEY] = store
    app.extensions[CATALOGS_KEY] = catalogs
    return state, store, catalogs


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


def _keep_state_in(
    path: Path, app: Flask, state: PimState, store: ProductStore, catalogs: AppCatalogs
) -> None:
    """Load the saved state, then save it after every request that changed it."""
    state_file = StateFile(path)
    saved = state_file.load()
    state.load(saved.get("pim", {}))
    store.replace_edits(saved.get("product_edits", {}))
    catalogs.load(saved.get("catalogs", []))

    @app.after_request
    def save_state(response: Response) -> Response:
        state_file.save(
            lambda: {"pim": state.to_json(), "product_edits": store.to_json(), "catalogs": catalogs.to_json()}
        )
        return response
