"""The FastAPI layer: routes, the session cookie and pages over the framework-free core."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from ..services import Services, build_services
from ..settings import Settings
from ..startup import start
from .pages import register_error_pages, register_response_headers
from .routes import router

# The pages and styles every web layer shares, beside the core.
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """The App; `services` lets tests hand in their own clock or limits, else they are built from settings."""
    services = services or (build_services(settings) if settings else start())
    # An App, not an API: no interactive docs or schema for anyone to browse.
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.services = services
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    register_error_pages(app)
    register_response_headers(app, services.settings)
    if services.settings.trusted_proxies:
        # Only when configured: otherwise any client could claim to have come over https.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts="*")
    return app
