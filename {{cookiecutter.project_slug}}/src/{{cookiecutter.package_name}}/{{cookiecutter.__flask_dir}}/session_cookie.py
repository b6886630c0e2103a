"""The browser session cookie: a random id the core's SessionStore gives meaning to, nothing else."""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.wrappers import Response

from ..browser_sessions import MAX_LIFETIME, BrowserSession
from .pages import services

# Named after the App: the local PIM emulator runs on the same host, and cookies ignore ports.
COOKIE_NAME = f"{__package__.split('.')[0]}_session"


def current_session() -> BrowserSession | None:
    """The visitor's live session, if the cookie opens one."""
    if "browser_session" not in g:
        g.browser_session = services().sessions.find(request.cookies.get(COOKIE_NAME))
    session: BrowserSession | None = g.browser_session
    return session


def current_or_new_session() -> BrowserSession:
    """The visitor's session, started now if there is none (only when something must be kept)."""
    session = current_session()
    if session is None:
        session, g.new_cookie = services().sessions.create()
        g.browser_session = session
    return session


def sign_in(session: BrowserSession) -> BrowserSession:
    """The session under a new id, with a new cookie: one captured before the callback opens nothing."""
    renewed, g.new_cookie = services().sessions.sign_in(session)
    g.browser_session = renewed
    return renewed


def clear_cookie() -> None:
    """The session ended on the server: the browser drops its cookie too."""
    g.browser_session = None
    g.clear_cookie = True


def register_session_cookie(app: Flask) -> None:
    @app.after_request
    def write_cookie(response: Response) -> Response:
        settings = services().settings
        if g.get("new_cookie"):
            response.set_cookie(
                COOKIE_NAME,
                g.new_cookie,
                max_age=MAX_LIFETIME,
                httponly=True,
                secure=settings.uses_https,
                # Lax, not Strict: the PIM's redirect back to /callback is a cross-site navigation that must
                # carry it.
                samesite="Lax",
            )
        elif g.get("clear_cookie"):
            response.delete_cookie(COOKIE_NAME, httponly=True, secure=settings.uses_https, samesite="Lax")
        return response
