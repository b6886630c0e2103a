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
from .openid import SignInError, verify_id_token
from .pim_url import InvalidPimUrl, normalize_pim_url
from .scope_changes import scopes_missing
from .scopes import missing_scopes
from .services import Services
from .token_cipher import UndecryptableToken

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
    """GET /callback: consume the state, exchange the code for a token, store it, and sign the session in:
    under openid, as the user the id_token names, once it passes every check."""
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

    # Stored before the id_token is checked: the token is the App's, whoever is at the keyboard.
    services.store.save(pim_url, grant.access_token, grant.scopes)
    log.info("Connected to %s with scopes: %s", pim_url, " ".join(grant.scopes))
    if session is None:  # never: consume_activation refuses a missing session
        return Outcome(problem=failure_pages.forbidden_form())
    if settings.uses_openid:
        try:
            identity = verify_id_token(
                grant.id_token,
                pim_url=pim_url,
                client_id=settings.client_id,
                http=services.http,
                keys=services.public_keys,
                seconds=services.limits.public_key_seconds,
            )
        except SignInError as error:
            log.warning("Sign-in refused for %s: %s", pim_url, error)
            # Whoever this session showed before for this PIM, nobody is proven to be in front of it now.
            services.sessions.sign_out_of_pim(session, pim_url)
            return Outcome(problem=failure_pages.sign_in_failed(error.problem, error.detail, pim_url))
        services.users.save(identity)
        session = sign_in(session)
        services.sessions.sign_in_user(session, pim_url, identity.sub)
        log.info("Signed in user %s of %s", identity.sub, pim_url)
    else:
        session = sign_in(session)
        services.sessions.allow_pim(session, pim_url)
    if missing_scopes(settings.scopes, grant.scopes):
        # This authorize already asked for the full list: the dashboard must not ask again by itself.
        services.sessions.claim_reauthorization(session, pim_url, settings.scope_string)
    return Outcome(redirect="/")


def ask_for_new_scopes(services: Services, session: BrowserSession | None) -> Outcome | None:
    """GET /, before the page: when a PIM lacks scopes the App now asks for, run authorize once.

    Once per session, PIM and scope list: a user without the right to accept gets the old scopes back, and the
    dashboard then shows what is missing, with a button to ask again, instead of asking in a loop.
    """
    if session is None:
        return None
    settings = services.settings
    for pim_url in services.sessions.visible_pims(session):
        try:
            connection = services.store.get(pim_url)
        except UndecryptableToken:
            continue  # the dashboard explains it
        if connection is None or not connection.is_connected or not scopes_missing(settings, connection):
            continue
        if services.sessions.claim_reauthorization(session, pim_url, settings.scope_string):
            log.info("Asking %s for the new scopes: %s", pim_url, settings.scope_string)
            state = services.sessions.start_activation(session, pim_url)
            return Outcome(redirect=authorize_url(pim_url, settings.client_id, settings.scope_string, state))
    return None


def forget(services: Services, session: BrowserSession | None, form: Mapping[str, str]) -> Outcome:
    """POST /forget: the App forgets a PIM, its stored token and every session's view of it."""
    pim_url = form.get("pim_url", "")
    if not services.sessions.csrf_ok(session, form.get("csrf_token")) or not services.sessions.may_see(
        session, pim_url
    ):
        return Outcome(problem=failure_pages.forbidden_form())
    services.store.delete(pim_url)
    services.sessions.forget_pim(pim_url)
    services.users.forget_pim(pim_url)
    services.notices.release(pim_url)
    log.info("Forgot %s", pim_url)
    return Outcome(redirect="/")


def sign_out(services: Services, session: BrowserSession | None, form: Mapping[str, str]) -> Outcome:
    """POST /sign-out: the session ends on the server (the web layer then clears its cookie)."""
    if session is None or not services.sessions.csrf_ok(session, form.get("csrf_token")):
        return Outcome(problem=failure_pages.forbidden_form())
    services.sessions.end(session)
    return Outcome(redirect="/")
