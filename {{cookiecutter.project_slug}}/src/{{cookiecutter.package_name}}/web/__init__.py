"""The Flask layer: routes, the session cookie and pages over the framework-free core."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from ..services import Services, build_services
from ..settings import Settings, load_settings
from .commands import register_commands
from .pages import register_error_pages, register_security_headers
from .routes import blueprint
from .session_cookie import register_session_cookie

SERVICES_KEY = "akeneo_app"


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The App; `services` lets tests hand in their own clock or limits, else they are built from settings."""
    services = services or build_services(settings or load_settings())
    app = Flask(__name__)
    app.extensions[SERVICES_KEY] = services
    app.register_blueprint(blueprint)
    register_session_cookie(app)
    register_error_pages(app)
    register_security_headers(app, services.settings)
    register_commands(app)
    if services.settings.trusted_proxies:
        # Only when configured: otherwise any client could claim to have come over https.
        proxies = services.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)
    return app
