"""The Flask layer: routes, the session cookie and pages over the framework-free core."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.middleware.proxy_fix import ProxyFix

from ..services import Services, build_services
from ..settings import Settings
from ..startup import start
from .pages import register_error_pages, register_security_headers
from .routes import blueprint
from .session_cookie import register_session_cookie

SERVICES_KEY = "akeneo_app"
# The pages and styles every web layer shares, beside the core.
PACKAGE_DIR = Path(__file__).resolve().parent.parent


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, however many apps it builds (the tests build hundreds).

    Jinja keys each entry by template name and source checksum, so an edited template compiles again.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    """The App; `services` lets tests hand in their own clock or limits, else they are built from settings."""
    services = services or (build_services(settings) if settings else start())
    app = Flask(
        __name__,
        template_folder=PACKAGE_DIR / "templates",
        static_folder=PACKAGE_DIR / "static",
        static_url_path="/static",
    )
    app.jinja_options = {**app.jinja_options, "bytecode_cache": COMPILED_TEMPLATES}
    app.extensions[SERVICES_KEY] = services
    app.register_blueprint(blueprint)
    register_session_cookie(app)
    register_error_pages(app)
    register_security_headers(app, services.settings)
    if services.settings.trusted_proxies:
        # Only when configured: otherwise any client could claim to have come over https.
        proxies = services.settings.trusted_proxies
        # Flask's documented way to add WSGI middleware (mypy sees a method being replaced).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies)  # type: ignore[method-assign]
    return app
