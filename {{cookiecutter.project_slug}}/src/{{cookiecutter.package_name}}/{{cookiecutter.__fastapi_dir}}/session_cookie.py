"""The browser session cookie: a random id the core's SessionStore gives meaning to, nothing else."""

from __future__ import annotations

from fastapi import Request, Response

from ..browser_sessions import MAX_LIFETIME, BrowserSession
from ..settings import Settings

# Named after the App: the local PIM emulator runs on the same host, and cookies ignore ports.
COOKIE_NAME = f"{__package__.split('.')[0]}_session"
_UNSET = object()


def current_session(request: Request) -> BrowserSession | None:
    """The visitor's live session, if the cookie opens one."""
    session = getattr(request.state, "browser_session", _UNSET)
    if session is _UNSET:
        session = request.app.state.services.sessions.find(request.cookies.get(COOKIE_NAME))
        request.state.browser_session = session
    return session  # type: ignore[return-value]


def current_or_new_session(request: Request) -> BrowserSession:
    """The visitor's session, started now if there is none (only when something must be kept)."""
    session = current_session(request)
    if session is None:
        session, request.state.new_cookie = request.app.state.services.sessions.create()
        request.state.browser_session = session
    return session


def sign_in(request: Request, session: BrowserSession) -> BrowserSession:
    """The session under a new id, with a new cookie: one captured before the callback opens nothing."""
    renewed: BrowserSession
    renewed, request.state.new_cookie = request.app.state.services.sessions.sign_in(session)
    request.state.browser_session = renewed
    return renewed


def clear_cookie(request: Request) -> None:
    """The session ended on the server: the browser drops its cookie too."""
    request.state.browser_session = None
    request.state.clear_cookie = True


def write_cookie(request: Request, response: Response, settings: Settings) -> None:
    """Set or clear the cookie as the route decided."""
    new_cookie = getattr(request.state, "new_cookie", None)
    if new_cookie:
        response.set_cookie(
            COOKIE_NAME,
            new_cookie,
            max_age=MAX_LIFETIME,
            httponly=True,
            secure=settings.uses_https,
            # Lax, not Strict: the PIM's redirect back to /callback is a cross-site navigation that must
            # carry it. (Starlette's annotation lists lower case only; it accepts any, as cookies do.)
            samesite="Lax",  # type: ignore[arg-type]
        )
    elif getattr(request.state, "clear_cookie", False):
        response.delete_cookie(COOKIE_NAME, httponly=True, secure=settings.uses_https, samesite="Lax")  # type: ignore[arg-type]
