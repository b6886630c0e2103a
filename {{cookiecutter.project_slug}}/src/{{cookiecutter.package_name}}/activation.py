"""The activation as the web layers run it: each step takes what the request carried and says what to answer.

A web layer passes the query or form values and two small functions that touch its cookie (open a session,
renew it at sign-in); it then redirects to `Outcome.redirect` or renders `Outcome.problem`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from . import failure_pages
from .browser_sessions import BrowserSession, StateError
from .failure_pages import Problem
from .oauth import TokenExchangeError, authorize_url, exchange_code
from .pim_url import InvalidPimUrl, normalize_pim_url
from .services import Services

log = logging.getLogger(__name__)

MAX_CODE_LENGTH = 1024  # Akeneo's codes are 86 characters


@dataclass(frozen=True)
class Outcome:
    """Where to send the browser, or the page that explains why not."""

    redirect: str = ""
    problem: Problem | None = None


def begin(services: Services, pim_urls: Sequence[str], open_session: Callable[[], BrowserSession]) -> Outcome:
    """GET /activate: check pim_url, remember it with a fresh state, and send the browser to the PIM."""
    if len(pim_urls) > 1:
        log.info("Activation refused: pim_url given %d times", len(pim_urls))
        return Outcome(
            problem=failure_pages.invalid_pim_url("The pim_url parameter is given more than once.")
        )
    try:
        pim_url = normalize_pim_url(pim_urls[0] if pim_urls else None, services.settings.allowed_pim_hosts)
    except InvalidPimUrl as error:
        log.info("Activation refused: %s", error)
        return Outcome(problem=failure_pages.invalid_pim_url(str(error)))
    state = services.sessions.start_activation(open_session(), pim_url)
    log.info("Activation started for %s", pim_url)
    settings = services.settings
    return Outcome(redirect=authorize_url(pim_url, settings.client_id, settings.scope_string, state))


def complete(
    services: Services,
    session: BrowserSession | None,
    query: Mapping[str, str],
    sign_in: Callable[[BrowserSession], BrowserSession],
) -> Outcome:
    """GET /callback: consume the state, exchange the code for a token, store it, sign the session in."""
    try:
        # Consumed whatever happens next: the state is single use.
        activation = services.sessions.consume_activation(session, query.get("state"))
    except StateError as error:
        log.warning("Callback refused: %s state", error.problem.value)
        return Outcome(problem=failure_pages.state_problem(error.problem))
    pim_url = activation.pim_url

    if query.get("error"):
        # The real PIM never sends this, but a proxy or a future PIM might.
        reported, description = query.get("error", "")[:200], query.get("error_description", "")[:200]
        return Outcome(problem=failure_pages.pim_reported_error(pim_url, reported, description))
    code = query.get("code")
    if not code or len(code) > MAX_CODE_LENGTH:
        return Outcome(problem=failure_pages.missing_code(pim_url))

    settings = services.settings
    try:
        grant = exchange_code(
            services.http,
            pim_url,
            settings.client_id,
            settings.client_secret,
            code,
            services.limits.token_seconds,
        )
    except TokenExchangeError as error:
        log.warning("Token request to %s failed: %s", pim_url, error.failure.value)
        return Outcome(problem=failure_pages.exchange_failed(error.failure, error.detail, pim_url))

    services.store.save(pim_url, grant.access_token, grant.scopes)
    if session is not None:  # always: consume_activation refuses a missing session
        services.sessions.allow_pim(sign_in(session), pim_url)
    log.info("Connected to %s with scopes: %s", pim_url, " ".join(grant.scopes))
    return Outcome(redirect="/")


def forget(services: Services, session: BrowserSession | None, form: Mapping[str, str]) -> Outcome:
    """POST /forget: the App forgets a PIM, its stored token and every session's view of it."""
    pim_url = form.get("pim_url", "")
    if not services.sessions.csrf_ok(session, form.get("csrf_token")) or not services.sessions.may_see(
        session, pim_url
    ):
        return Outcome(problem=failure_pages.forbidden_form())
    services.store.delete(pim_url)
    services.sync_store.forget(pim_url)
    services.sessions.forget_pim(pim_url)
    log.info("Forgot %s", pim_url)
    return Outcome(redirect="/")


def sign_out(services: Services, session: BrowserSession | None, form: Mapping[str, str]) -> Outcome:
    """POST /sign-out: the session ends on the server (the web layer then clears its cookie)."""
    if session is None or not services.sessions.csrf_ok(session, form.get("csrf_token")):
        return Outcome(problem=failure_pages.forbidden_form())
    services.sessions.end(session)
    return Outcome(redirect="/")
