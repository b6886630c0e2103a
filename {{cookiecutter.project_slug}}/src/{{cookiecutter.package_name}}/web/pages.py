"""Pages that explain what went wrong and what to do next."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from .. import APP_NAME


@dataclass(frozen=True)
class Action:
    label: str
    href: str


@dataclass(frozen=True)
class Problem:
    title: str
    status: int
    paragraphs: list[str]
    actions: list[Action] = field(default_factory=list)


def restart_action(pim_url: str) -> Action:
    return Action("Start the connection again", f"/activate?{urlencode({'pim_url': pim_url})}")


def render_problem(problem: Problem) -> tuple[str, int]:
    return render_template("message.html", app_name=APP_NAME, problem=problem), problem.status


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return render_problem(
            Problem(
                title=error.name,
                status=status,
                paragraphs=[error.description or ""],
                actions=[Action("Go to the dashboard", "/")],
            )
        )

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> tuple[str, int]:
        app.logger.exception("Unexpected error")
        return render_problem(
            Problem(
                title="Something went wrong",
                status=500,
                paragraphs=["The App hit an unexpected error. The details are in the App's log."],
                actions=[Action("Go to the dashboard", "/")],
            )
        )
