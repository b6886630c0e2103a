"""The Flask layer: routes, pages and commands over the framework-free core."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

import requests
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..http import TIMEOUT, build_http_session
from ..settings import Settings, load_settings
from ..token_cipher import TokenCipher
from ..token_store import SqlTokenStore, TokenStore
from .commands import register_commands
from .pages import register_error_pages
from .routes import blueprint
from .services import Services

SESSION_COOKIE_NAME = f"{__package__.split('.')[0]}_session"


def create_app(
    settings: Settings | None = None,
    store: TokenStore | None = None,
    http: requests.Session | None = None,
    clock: Callable[[], float] = time.time,
    timeout: tuple[float, float] = TIMEOUT,
) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        # Named after the App: the local PIM emulator runs on the same host, and cookies ignore ports.
        SESSION_COOKIE_NAME=SESSION_COOKIE_NAME,
        SESSION_COOKIE_HTTPONLY=True,
        # Lax, not Strict: the PIM's redirect back to /callback is a cross-site navigation that must carry it.
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.uses_https,
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
    )
    app.extensions["akeneo_app"] = Services(
        settings=settings,
        store=store
        or SqlTokenStore.from_url(settings.database_url, TokenCipher(settings.token_encryption_keys)),
        http=http or build_http_session(),
        clock=clock,
        timeout=timeout,
    )
    app.register_blueprint(blueprint)
    register_error_pages(app)
    register_commands(app)
    if settings.trusted_proxies:
        # Only when configured: otherwise any client could claim to have come over https.
        proxies = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    return app
