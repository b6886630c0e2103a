"""A small client for the PIM's REST API, authenticated with the App's access token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests

from .http import TIMEOUT

PRODUCTS_UUID_PATH = "/api/rest/v1/products-uuid"
LEGACY_PRODUCTS_PATH = "/api/rest/v1/products"  # PIMs older than 7.0 have no products-uuid
MAX_PAGE_SIZE = 100  # the PIM answers 422 above this


class PimApiError(Exception):
    def __init__(self, status: int | None, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if status else message)
        self.status = status
        self.message = message


class AppDisconnected(PimApiError):
    """401: the App was disconnected in the PIM, or its token was replaced."""


class AccessDenied(PimApiError):
    """403: the granted scopes do not allow this call."""


class RateLimited(PimApiError):
    """429 still, after the retries urllib3 made."""

    def __init__(self, status: int, message: str, retry_after: str | None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


class PimUnavailable(PimApiError):
    """The PIM could not be reached, was too slow, or failed (5xx)."""


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
        timeout: tuple[float, float] = TIMEOUT,
    ) -> None:
        self._http = http
        self._pim_url = pim_url
        self._token = access_token
        self._timeout = timeout
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
        return _page(body, endpoint)

    def iter_products(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every product, following `_links.next` (search_after) as the PIM asks."""
        page = self.first_products(page_size)
        yield from page.items
        while page.next_url:
            page = _page(self.get_json(page.next_url), page.endpoint)
            yield from page.items

    def get_json(self, path_or_url: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        url = path_or_url if "://" in path_or_url else f"{self._pim_url}{path_or_url}"
        if _origin(url) != self._origin:
            # Never send the token anywhere but the PIM it belongs to, whatever a link says.
            raise PimApiError(None, f"refusing to follow a link outside the PIM: {url}")
        try:
            response = self._http.get(
                url,
                params=params,
                headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
                timeout=self._timeout,
            )
        except requests.Timeout as error:
            raise PimUnavailable(None, "the PIM did not answer in time") from error
        except requests.RequestException as error:
            raise PimUnavailable(None, f"the PIM could not be reached ({type(error).__name__})") from error
        return _json_or_error(response)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def _page(body: dict[str, Any], endpoint: str) -> ProductPage:
    items = body.get("_embedded", {}).get("items", [])
    next_link = body.get("_links", {}).get("next", {}).get("href")
    return ProductPage(items=list(items), next_url=next_link, endpoint=endpoint)


def _json_or_error(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    message = body.get("message") if isinstance(body, dict) else None
    message = str(message) if message else response.reason or "no message"
    status = response.status_code
    if status == 200 and isinstance(body, dict):
        return body
    if status == 401:
        raise AppDisconnected(status, message)
    if status == 403:
        raise AccessDenied(status, message)
    if status == 429:
        raise RateLimited(status, message, response.headers.get("Retry-After"))
    if status >= 500:
        raise PimUnavailable(status, message)
    if status == 200:
        raise PimUnavailable(status, "the PIM answered with something that is not JSON")
    raise PimApiError(status, message)
