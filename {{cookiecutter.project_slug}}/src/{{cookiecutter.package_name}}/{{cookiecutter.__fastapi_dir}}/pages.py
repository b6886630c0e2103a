"""Rendering the core's pages, the error handlers and the headers every answer carries."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from .. import APP_NAME
from ..failure_pages import Problem, http_error, unexpected_error
from ..security_headers import security_headers
from ..services import Services
from ..settings import Settings
from .session_cookie import write_cookie

log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")


def services(request: Request) -> Services:
    built: Services = request.app.state.services
    return built


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(
        request, template, {"app_name": APP_NAME, **context}, status_code=status
    )


def render_problem(request: Request, problem: Problem) -> HTMLResponse:
    return render(request, "message.html", problem.status, problem=problem)


def register_error_pages(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    def on_http_error(request: Request, error: HTTPException) -> HTMLResponse:
        response = render_problem(request, http_error(error.status_code))
        response.headers.update(error.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    def on_malformed_request(request: Request, error: RequestValidationError) -> HTMLResponse:
        return render_problem(request, http_error(400))

    @app.exception_handler(Exception)
    def on_unexpected_error(request: Request, error: Exception) -> HTMLResponse:
        log.error("Unexpected error", exc_info=error)
        return render_problem(request, unexpected_error())


def register_response_headers(app: FastAPI, settings: Settings) -> None:
    headers = security_headers(settings.uses_https)

    @app.middleware("http")
    async def add_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        write_cookie(request, response, settings)
        response.headers.update(headers)
        if response.headers.get("content-type", "").startswith("text/html"):
            # Pages show one visitor's PIM data: no shared cache may keep them.
            response.headers["Cache-Control"] = "no-store"
        return response
