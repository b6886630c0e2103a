"""Rendering the core's pages, the error handlers and the headers every answer carries."""

from __future__ import annotations

import logging

from flask import Flask, current_app, render_template
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .. import APP_NAME
from ..failure_pages import Problem, http_error, unexpected_error
from ..security_headers import security_headers
from ..services import Services
from ..settings import Settings

log = logging.getLogger(__name__)


def services() -> Services:
    built: Services = current_app.extensions["akeneo_app"]
    return built


def render_problem(problem: Problem) -> tuple[str, int]:
    return render_template("message.html", app_name=APP_NAME, problem=problem), problem.status


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> tuple[str, int]:
        return render_problem(http_error(error.code or 500))

    @app.errorhandler(Exception)
    def on_unexpected_error(error: Exception) -> tuple[str, int]:
        log.exception("Unexpected error")
        return render_problem(unexpected_error())


def register_security_headers(app: Flask, settings: Settings) -> None:
    headers = security_headers(settings.uses_https)

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.update(headers)
        if response.mimetype == "text/html":
            # Pages show one visitor's PIM data: no shared cache may keep them.
            response.headers["Cache-Control"] = "no-store"
        return response
