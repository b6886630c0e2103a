"""A small client for the PIM's REST API, authenticated with the App's access token.

What the PIM answers is checked for shape where it enters: a page must be an object with a list of objects
under `_embedded.items`, and a `next` link must be a string. Anything else is a PimApiError for that PIM
alone.
Links are followed on the PIM's own origin only: the token goes nowhere else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from .pim_http import CallFailure, PimCallError, PimReply, send
from .printable import printable
from .scopes import required_scope

PRODUCTS_UUID_PATH = "/api/rest/v1/products-uuid"
LEGACY_PRODUCTS_PATH = "/api/rest/v1/products"  # PIMs older than 7.0 have no products-uuid
MAX_PAGE_SIZE = 100  # the PIM answers 422 above this
CALL_SECONDS = 60.0  # one API call, retries included, from a command or a job
PAGE_MAX_BYTES = 32 * 1024 * 1024  # 100 products with many values and locales stay far below
MAX_PAGES = 200_000  # 20 million products at 100 a page: past that, something is looping
MAX_LINK_LENGTH = 8 * 1024  # real next links are a few hundred characters
SCOPES_UPDATE_PATH = "/connect/apps/v1/scopes/update"
NOTICE_MAX_BYTES = 16 * 1024  # the PIM answers "Ok"


class PimApiError(Exception):
    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


class AppDisconnected(PimApiError):
    """401: the App was disconnected in the PIM, or its token was replaced."""


class AccessDenied(PimApiError):
    """403: the granted scopes do not allow this call; `scope` names the one it needs, when known."""

    def __init__(self, status: int, message: str, scope: str | None = None) -> None:
        super().__init__(status, message)
        self.scope = scope


class RateLimited(PimApiError):
    """429 still, after the retries that fitted in the call's time."""

    def __init__(self, status: int, message: str, retry_after: int | None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


class PimUnavailable(PimApiError):
    """The PIM could not be reached, was too slow, or failed (5xx)."""


class UnexpectedAnswer(PimApiError):
    """The PIM answered 200 with something that is not what this endpoint returns."""


@dataclass(frozen=True)
class ProductPage:
    items: list[dict[str, Any]]
    next_url: str | None
    endpoint: str = field(default=PRODUCTS_UUID_PATH)


class PimApiClient:
    def __init__(
        self,
        http: requests.Session,
        pim_url: str,
        access_token: str,
        call_seconds: float = CALL_SECONDS,
    ) -> None:
        self._http = http
        self._pim_url = pim_url
        self._token = access_token
        self._call_seconds = call_seconds
        self._origin = _origin(pim_url)

    def first_products(self, limit: int = 10) -> ProductPage:
        """The first page of products, from products-uuid or, on an older PIM, the legacy endpoint."""
        params = {"limit": min(limit, MAX_PAGE_SIZE), "pagination_type": "search_after"}
        try:
            body = self.get_json(PRODUCTS_UUID_PATH, params)
            endpoint = PRODUCTS_UUID_PATH
        except PimApiError as error:
            if error.status != 404:
                raise
            body = self.get_json(LEGACY_PRODUCTS_PATH, params)
            endpoint = LEGACY_PRODUCTS_PATH
        return self._page(body, endpoint)

    def iter_products(
        self, page_size: int = MAX_PAGE_SIZE, max_pages: int = MAX_PAGES
    ) -> Iterator[dict[str, Any]]:
        """Every product, following `_links.next` (search_after) as the PIM asks.

        A next link seen before, or a page that has a next link but no item, would loop forever: both stop
        with a PimApiError, as does going past `max_pages`.
        """
        page = self.first_products(page_size)
        yield from page.items
        seen = {_digest(page.next_url)}
        pages = 1
        while page.next_url:
            if not page.items:
                raise UnexpectedAnswer(None, "the PIM sent an empty page with a link to a next one")
            if pages >= max_pages:
                raise UnexpectedAnswer(None, f"the PIM sent more than {max_pages:,} pages; stopping")
            page = self._page(self.get_json(page.next_url), page.endpoint)
            pages += 1
            if _digest(page.next_url) in seen:
                raise UnexpectedAnswer(None, "the PIM's next link points back to a page already read")
            seen.add(_digest(page.next_url))
            yield from page.items

    def get_json(self, path_or_url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = path_or_url if "://" in path_or_url else f"{self._pim_url}{path_or_url}"
        if _origin(url) != self._origin:
            # Never send the token anywhere but the PIM it belongs to, whatever a link says.
            raise UnexpectedAnswer(
                None, f"a link leads outside the PIM ({url[:100]}); the App does not follow it"
            )
        try:
            reply = send(
                self._http,
                "GET",
                url,
                seconds=self._call_seconds,
                max_bytes=PAGE_MAX_BYTES,
                params=params,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            )
        except PimCallError as error:
            if error.failure is CallFailure.TOO_LARGE:
                raise UnexpectedAnswer(None, error.message) from error
            raise PimUnavailable(None, error.message) from error
        return _json_or_error(reply, required_scope("GET", urlsplit(url).path))

    def notify_scope_update(self, scopes: Sequence[str]) -> None:
        """Tell the PIM the App now needs `scopes` (the full list): it flags the App as asking for new scopes.

        Only a notice: the scopes change when someone with the right grants them through authorize.
        """
        url = f"{self._pim_url}{SCOPES_UPDATE_PATH}"
        try:
            reply = send(
                self._http,
                "POST",
                url,
                seconds=self._call_seconds,
                max_bytes=NOTICE_MAX_BYTES,
                params={"scopes": " ".join(scopes)},
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            )
        except PimCallError as error:
            raise PimUnavailable(None, error.message) from error
        if reply.status == 401:
            raise AppDisconnected(reply.status, _message(reply))
        if reply.status != 200:
            raise PimApiError(reply.status, _message(reply))

    def _page(self, body: dict[str, Any], endpoint: str) -> ProductPage:
        embedded = body.get("_embedded")
        items = embedded.get("items") if isinstance(embedded, dict) else None
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise UnexpectedAnswer(None, "the PIM's answer is not a page of products (no list of items)")
        links = body.get("_links", {})
        if not isinstance(links, dict):
            raise UnexpectedAnswer(None, "the PIM's answer has links that are not an object")
        next_link = links.get("next")
        next_url = next_link.get("href") if isinstance(next_link, dict) else None
        if next_link is not None and not isinstance(next_url, str):
            raise UnexpectedAnswer(None, "the PIM's next link has no address")
        if next_url is not None and len(next_url) > MAX_LINK_LENGTH:
            raise UnexpectedAnswer(None, f"the PIM's next link is longer than {MAX_LINK_LENGTH:,} characters")
        return ProductPage(items=items, next_url=next_url, endpoint=endpoint)


def _digest(url: str | None) -> bytes:
    """What a walk remembers of each link: 32 bytes, however long the link."""
    return hashlib.sha256((url or "").encode()).digest()


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _parsed(reply: PimReply) -> Any:
    try:
        return reply.json()
    except ValueError:
        return None


def _message(reply: PimReply) -> str:
    """The `message` of a PIM's JSON error body, fit for a page."""
    body = _parsed(reply)
    message = body.get("message") if isinstance(body, dict) else None
    return printable(message) if isinstance(message, str) and message else "no message"


def _json_or_error(reply: PimReply, scope: str | None = None) -> dict[str, Any]:
    """The JSON object of a 200, or the error for the answer; a 403 names `scope`, the one the call needs."""
    body = _parsed(reply)
    status = reply.status
    if status == 200 and isinstance(body, dict):
        return body
    message = _message(reply)
    if status == 401:
        raise AppDisconnected(status, message)
    if status == 403:
        raise AccessDenied(status, message, scope)
    if status == 429:
        raise RateLimited(status, message, _retry_after_seconds(reply.headers.get("Retry-After")))
    if 300 <= status < 400:
        raise PimApiError(status, "the PIM redirected the call; the App does not follow redirects")
    if status >= 500:
        raise PimUnavailable(status, message)
    if status == 200:
        raise UnexpectedAnswer(status, "the PIM answered with something that is not a JSON object")
    raise PimApiError(status, message)


def _retry_after_seconds(retry_after: str | None) -> int | None:
    """Retry-After in seconds (the PIM sends seconds); None when absent or not a number."""
    text = (retry_after or "").strip()
    return int(text) if text.isdigit() and len(text) <= 6 else None
