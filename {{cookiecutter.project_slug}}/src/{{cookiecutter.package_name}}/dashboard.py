"""The dashboard as data: one card per PIM the visitor may see, each with a status and what to show.

A PIM that fails, answers slowly or sends nonsense breaks its own card only, and the whole page stays within
its time budget however many PIMs it shows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from .browser_sessions import BrowserSession
from .failure_pages import restart_action
from .pim_api import AccessDenied, AppDisconnected, PimApiClient, PimApiError, RateLimited
from .pim_http import deadline
from .products import ProductSummary, summarize
from .scope_changes import notify_once, scopes_missing
from .scopes import with_implied
from .services import Services
from .token_cipher import UndecryptableToken
from .token_store import Connection
from .users import User

log = logging.getLogger(__name__)

PRODUCT_COUNT = 10


class CardStatus(Enum):
    CONNECTED = "connected"  # products loaded
    DISCONNECTED = "disconnected"  # the PIM revoked the token, or replaced it
    UNREADABLE = "unreadable"  # the token cannot be decrypted with TOKEN_ENCRYPTION_KEY
    ACCESS_DENIED = "access_denied"  # the granted scopes do not allow listing products
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"  # down, too slow, or not answering like a PIM


@dataclass
class Card:
    pim_url: str
    status: CardStatus
    connection: Connection | None = None
    user: User | None = None  # who is signed in for this PIM, when the App asks for openid
    missing_scopes: list[str] = field(default_factory=list)  # asked for (AKENEO_SCOPES), not granted
    products: list[ProductSummary] = field(default_factory=list)
    products_endpoint: str = ""
    problem: str = ""


def dashboard_page(services: Services, session: BrowserSession | None) -> dict[str, Any]:
    """What the dashboard template shows: a card per PIM this session may see, who is signed in, and the
    App's two URLs."""
    pim_urls = services.sessions.visible_pims(session) if session else []
    signed_in = services.sessions.signed_in_users(session) if session else {}
    users = {
        pim_url: user
        for pim_url, sub in signed_in.items()
        if pim_url in pim_urls and (user := services.users.get(pim_url, sub)) is not None
    }
    cards = load_dashboard(services, pim_urls)
    for card in cards:
        card.user = users.get(card.pim_url)
    return {
        "cards": cards,
        "session": session,
        "signed_in_as": sorted({user.display_name for user in users.values()}),
        "uses_openid": services.settings.uses_openid,
        "activate_url": f"{services.settings.app_url}/activate",
        "callback_url": f"{services.settings.app_url}/callback",
        "reconnect_href": lambda pim_url: restart_action(pim_url).href,
    }


def load_dashboard(services: Services, pim_urls: list[str]) -> list[Card]:
    """A card for each of these PIMs that the App still holds a connection to."""
    cards = []
    with deadline(services.limits.dashboard_seconds):
        for pim_url in pim_urls:
            try:
                connection = services.store.get(pim_url)
            except UndecryptableToken:
                log.error("The token of %s cannot be decrypted with TOKEN_ENCRYPTION_KEY", pim_url)
                cards.append(Card(pim_url, CardStatus.UNREADABLE))
                continue
            if connection is not None:
                cards.append(load_card(services, connection))
    return cards


def load_card(services: Services, connection: Connection) -> Card:
    card = Card(connection.pim_url, CardStatus.CONNECTED, connection)
    if not connection.is_connected:
        card.status = CardStatus.DISCONNECTED
        return card
    client = PimApiClient(
        services.http, connection.pim_url, connection.access_token, services.limits.card_seconds
    )
    card.missing_scopes = scopes_missing(services.settings, connection)
    if card.missing_scopes:
        notify_once(services.notices, services.store, client, services.settings, connection)
    try:
        page = client.first_products(PRODUCT_COUNT)
    except AppDisconnected:
        # Marked once; the page then offers Reconnect instead of retrying a dead token on every load.
        services.store.mark_disconnected(connection.pim_url)
        card.connection = services.store.get(connection.pim_url) or connection
        card.status = CardStatus.DISCONNECTED
    except AccessDenied as error:
        card.status = CardStatus.ACCESS_DENIED
        card.problem = access_denied_text("list products", error, services.settings.scopes)
    except RateLimited as error:
        card.status = CardStatus.RATE_LIMITED
        when = f"in {error.retry_after} seconds" if error.retry_after is not None else "in a moment"
        card.problem = f"The PIM is limiting the App's requests. Reload this page {when}."
    except PimApiError as error:
        log.warning("Products of %s could not be loaded: %s", connection.pim_url, error)
        card.status = CardStatus.UNAVAILABLE
        card.problem = f"The products could not be loaded: {error.message}."
    else:
        card.products = [summarize(item) for item in page.items]
        card.products_endpoint = page.endpoint
    return card


def access_denied_text(action: str, error: AccessDenied, asked: tuple[str, ...]) -> str:
    """A 403 in words: which scope the call needs, and what to do about it."""
    refused = f"The PIM refused to {action}: {error.message}"
    if error.scope is None:
        return f"{refused} Check the App's scopes."
    if error.scope not in with_implied(asked):
        return (
            f"{refused} The call needs the {error.scope} scope: add it to AKENEO_SCOPES and restart the App."
        )
    return (
        f"{refused} The call needs the {error.scope} scope, which the App asks for but this PIM has not "
        "granted."
    )
