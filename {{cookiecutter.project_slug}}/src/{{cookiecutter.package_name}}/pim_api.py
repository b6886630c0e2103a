"""The PIM's REST API, authenticated with the App's access token: read, list, create, update, delete.

Every call goes through pim_http (deadline, size cap, address check, bounded retries, no redirect) and to the
PIM's own origin only: the token goes nowhere else, whatever a link says. Answers are checked for shape where
they enter, and every failure is a PimApiError (pim_errors) naming what went wrong.

Reads are retried on 429 (honouring Retry-After), 502, 503 and 504 by pim_http. Writes are retried on 429
alone, the PIM's refusal before doing anything; never on a 5xx or a dropped answer, after which the write may
or may not have happened.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import msgspec
import requests

from .pim_errors import (
    AccessDenied,
    AppDisconnected,
    CatalogUnavailable,
    FieldError,
    PimApiError,
    PimForbidden,
    PimNotFound,
    PimRateLimited,
    PimUnauthorized,
    PimUnavailable,
    PimValidationError,
    RateLimited,
    UnexpectedAnswer,
    error_for,
)
from .pim_http import (
    CallFailure,
    PageChannel,
    PimCallError,
    PimReply,
    deadline,
    decode_json,
    fetch,
    remaining_time,
    send,
)
from .pim_pages import (
    MAX_PAGES,
    Page,
    decode_item,
    decode_page,
    decode_page_lazily,
    parse_page,
    walk_pages,
)

__all__ = [
    "AccessDenied",
    "AppDisconnected",
    "CatalogUnavailable",
    "FieldError",
    "PimApiClient",
    "PimApiError",
    "PimForbidden",
    "PimNotFound",
    "PimRateLimited",
    "PimUnauthorized",
    "PimUnavailable",
    "PimValidationError",
    "ProductPage",
    "RateLimited",
    "UnexpectedAnswer",
    "Written",
    "updated_since",
]

API = "/api/rest/v1"
PRODUCTS_UUID_PATH = f"{API}/products-uuid"
LEGACY_PRODUCTS_PATH = f"{API}/products"  # PIMs older than 7.0 have no products-uuid
PRODUCT_MODELS_PATH = f"{API}/product-models"
FAMILIES_PATH = f"{API}/families"
ATTRIBUTES_PATH = f"{API}/attributes"
CATALOGS_PATH = f"{API}/catalogs"
# Lists that page with search_after (a cursor: no page cap, no item missed or repeated by concurrent edits);
# the others page by number. A catalog's products always use search_after, without asking.
SEARCH_AFTER_PATHS = frozenset({PRODUCTS_UUID_PATH, LEGACY_PRODUCTS_PATH, PRODUCT_MODELS_PATH})
MAX_PAGE_SIZE = 100  # the PIM answers 422 above this
MAX_CATALOG_PAGE_SIZE = 1000
CALL_SECONDS = 60.0  # one API call, retries included, from a command or a job
PAGE_MAX_BYTES = 32 * 1024 * 1024  # 100 products with many values and locales stay far below
WRITE_MAX_BYTES = 1024 * 1024  # a write answers with headers and at most a list of errors
WRITE_RETRIES = 3  # 429s a write waits through, when Retry-After fits its time
SCOPES_UPDATE_PATH = "/connect/apps/v1/scopes/update"
NOTICE_MAX_BYTES = 16 * 1024  # the PIM answers "Ok"


@dataclass(frozen=True)
class ProductPage:
    items: list[dict[str, Any]]
    next_url: str | None
    endpoint: str = PRODUCTS_UUID_PATH


@dataclass(frozen=True)
class Written:
    """What the PIM answered to a write: 201 (created), 204 (updated) or 200, where it is, and the object
    it sent back, if any (a new catalog's id comes that way)."""

    status: int
    location: str | None
    body: dict[str, Any] | None = None

    @property
    def created(self) -> bool:
        return self.status == 201

    @property
    def key(self) -> str | None:
        """The last segment of the Location: the new product's uuid, or the resource's code."""
        return self.location.rstrip("/").rsplit("/", 1)[-1] if self.location else None


def updated_since(moment: datetime) -> dict[str, Any]:
    """A products `search` for what changed after `moment` (aware), in the PIM's date format, in UTC."""
    return {"updated": [{"operator": ">", "value": _utc(moment).strftime("%Y-%m-%d %H:%M:%S")}]}


def search_param(search: Mapping[str, Any]) -> dict[str, str]:
    """The `search` query parameter of a list endpoint (JSON), e.g. `search_param(updated_since(moment))`."""
    return {"search": _json(search)}


def catalog_updated_after(moment: datetime) -> dict[str, str]:
    """A catalog's products query for what changed after `moment` (aware), in ISO 8601, in UTC."""
    return {"updated_after": _utc(moment).isoformat(timespec="seconds")}


def catalog_products_path(catalog_id: str) -> str:
    """The products of a catalog; its id (the PIM's word) stays one path segment."""
    return f"{CATALOGS_PATH}/{_segment(catalog_id)}/products"


class PimApiClient:
    """One PIM's REST API with one access token; cheap to make, one per PIM and task.

    Shares the App's PIM session (`services.http`): its connections, at most 4 per PIM, and its guards.
    """

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

    # --- any endpoint -------------------------------------------------------------------------------

    def get(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One JSON object, e.g. `get("/api/rest/v1/families/shoes")`."""
        url = self._url(path_or_url, params)
        body = _decoded(self._read(url))
        if not isinstance(body, dict):
            raise UnexpectedAnswer(200, "the PIM answered with something that is not a JSON object")
        return body

    get_json = get  # the name the App used first

    def iter_items(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, in the PIM's order, following `_links.next`.

        search_after on the endpoints that have it, page numbers on the others; `params` adds filters
        (`search`, `scope`, `locales`…) or overrides the pagination. Each page's shape and next link are
        checked before any of its items is handed over; each item is decoded (and checked to be a JSON
        object) as it is taken, so an item that is not stops the walk after the ones before it.
        """
        first = self._first_url(path, params, page_size)
        # Items decoded one at a time, as the caller takes them (pim_pages.LazyPage).
        for page in walk_pages(_PagesOf(self), first, decode=decode_page_lazily, max_pages=max_pages):
            items = page.items
            del page  # nothing but `items` keeps this page alive while the next one is decoded
            yield from map(decode_item, items)  # no loop variable left holding the raw page
            del items

    def iter_pages(
        self,
        path_or_url: str,
        params: Mapping[str, Any] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> Iterator[Page]:
        """Each page of a list endpoint with the link to the next one, from a path or a next link on.

        For a walk that must resume where it stopped (the sync keeps each page's next link as its checkpoint).
        A path gets the endpoint's pagination, as in iter_items; a next link carries its own.
        """
        first = self._first_url(path_or_url, params, page_size)
        yield from walk_pages(_PagesOf(self), first, decode=decode_page, max_pages=max_pages)

    def _first_url(self, path_or_url: str, params: Mapping[str, Any] | None, page_size: int) -> str:
        """A path with the endpoint's pagination and `params`, or a next link as it is."""
        pagination = {} if "://" in path_or_url else _pagination(path_or_url, page_size)
        return self._url(path_or_url, {**pagination, **(params or {})})

    def create(self, path: str, body: Mapping[str, Any]) -> Written:
        """POST a new resource; the PIM answers 201 with its Location."""
        return self._write("POST", path, body)

    def update(self, path: str, body: Mapping[str, Any]) -> Written:
        """PATCH a resource (Akeneo creates it when missing: 201 then, 204 otherwise)."""
        return self._write("PATCH", path, body)

    def delete(self, path: str) -> None:
        """DELETE a resource (204)."""
        self._write("DELETE", path, None)

    # --- products -----------------------------------------------------------------------------------

    def first_products(self, limit: int = 10) -> ProductPage:
        """The first page of products, from products-uuid or, on an older PIM, the legacy endpoint."""
        params = {"limit": min(limit, MAX_PAGE_SIZE), "pagination_type": "search_after"}
        try:
            body = self.get(PRODUCTS_UUID_PATH, params)
            endpoint = PRODUCTS_UUID_PATH
        except PimNotFound:
            body = self.get(LEGACY_PRODUCTS_PATH, params)
            endpoint = LEGACY_PRODUCTS_PATH
        page = parse_page(body)
        return ProductPage(page.items, page.next_url, endpoint)

    def iter_products(
        self,
        search: Mapping[str, Any] | None = None,
        *,
        page_size: int = MAX_PAGE_SIZE,
        params: Mapping[str, Any] | None = None,
        max_pages: int = MAX_PAGES,
    ) -> Iterator[dict[str, Any]]:
        """Every product (matching `search`, e.g. `updated_since(moment)`), in order, by search_after.

        From products-uuid, or from the legacy endpoint on a PIM that has no products-uuid.
        """
        query = {**(params or {}), **(search_param(search) if search else {})}
        products = self.iter_items(PRODUCTS_UUID_PATH, query, page_size=page_size, max_pages=max_pages)
        try:
            first = next(products)
        except StopIteration:
            return
        except PimNotFound:
            yield from self.iter_items(LEGACY_PRODUCTS_PATH, query, page_size=page_size, max_pages=max_pages)
            return
        yield first
        yield from products

    def get_product(self, product_uuid: str) -> dict[str, Any]:
        return self.get(f"{PRODUCTS_UUID_PATH}/{_segment(product_uuid)}")

    def create_product(self, product: Mapping[str, Any]) -> Written:
        """Create a product; `.key` of the answer is its uuid."""
        return self.create(PRODUCTS_UUID_PATH, product)

    def update_product(self, product_uuid: str, changes: Mapping[str, Any]) -> Written:
        """PATCH a product: `values` merge per attribute, locale and channel; other fields are replaced."""
        return self.update(f"{PRODUCTS_UUID_PATH}/{_segment(product_uuid)}", changes)

    def delete_product(self, product_uuid: str) -> None:
        self.delete(f"{PRODUCTS_UUID_PATH}/{_segment(product_uuid)}")

    # --- product models, families, attributes -------------------------------------------------------

    def iter_product_models(
        self, search: Mapping[str, Any] | None = None, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        query = {"search": _json(search)} if search else None
        return self.iter_items(PRODUCT_MODELS_PATH, query, page_size=page_size)

    def get_product_model(self, code: str) -> dict[str, Any]:
        return self.get(f"{PRODUCT_MODELS_PATH}/{_segment(code)}")

    def iter_families(self, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        return self.iter_items(FAMILIES_PATH, page_size=page_size)

    def get_family(self, code: str) -> dict[str, Any]:
        return self.get(f"{FAMILIES_PATH}/{_segment(code)}")

    def iter_attributes(self, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        return self.iter_items(ATTRIBUTES_PATH, page_size=page_size)

    def get_attribute(self, code: str) -> dict[str, Any]:
        return self.get(f"{ATTRIBUTES_PATH}/{_segment(code)}")

    # --- catalogs for Apps --------------------------------------------------------------------------

    def iter_catalogs(self) -> Iterator[dict[str, Any]]:
        """The catalogs this App owns (the PIM shows an App no other)."""
        return self.iter_items(CATALOGS_PATH)

    def create_catalog(self, name: str) -> dict[str, Any]:
        """A new catalog, disabled until a person enables it in the PIM; its `id` is in the answer."""
        written = self.create(CATALOGS_PATH, {"name": name})
        if written.body is None or not isinstance(written.body.get("id"), str):
            raise UnexpectedAnswer(written.status, "the PIM created a catalog but did not say its id")
        return written.body

    def iter_catalog_products(
        self,
        catalog_id: str,
        *,
        updated_after: datetime | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """The products a catalog selects (changed after `updated_after`, if given), by search_after.

        A disabled catalog raises CatalogUnavailable with the PIM's words.
        """
        params: dict[str, Any] = {"limit": max(1, min(page_size, MAX_CATALOG_PAGE_SIZE))}
        if updated_after is not None:
            params.update(catalog_updated_after(updated_after))
        return self.iter_items(catalog_products_path(catalog_id), params)

    # --- the App's own connection ---------------------------------------------------------------------

    def notify_scope_update(self, scopes: Sequence[str]) -> None:
        """Tell the PIM the App now needs `scopes` (the full list): it flags the App as asking for new scopes.

        Only a notice: the scopes change when someone with the right grants them through authorize. Sent
        once, never retried (a POST).
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
                headers=self._headers(),
            )
        except PimCallError as error:
            raise _call_error(error) from error
        if reply.status != 200:
            raise error_for(reply, _decoded_or_none(reply), "POST", SCOPES_UPDATE_PATH)

    # --- the calls ----------------------------------------------------------------------------------

    def _url(self, path_or_url: str, params: Mapping[str, Any] | None = None) -> str:
        url = path_or_url if "://" in path_or_url else f"{self._pim_url}{path_or_url}"
        if params:
            url = f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"
        if _origin(url) != self._origin:
            # Never send the token anywhere but the PIM it belongs to, whatever a link says.
            raise UnexpectedAnswer(
                None, f"a link leads outside the PIM ({url[:100]}); the App does not follow it"
            )
        return url

    def _read(self, url: str) -> PimReply:
        """A GET answered 200, or the PimApiError its answer stands for."""
        try:
            reply = fetch(
                self._http,
                url,
                seconds=self._call_seconds,
                max_bytes=PAGE_MAX_BYTES,
                headers=self._headers(),
            )
        except PimCallError as error:
            raise _call_error(error) from error
        if reply.status != 200:
            raise error_for(reply, _decoded_or_none(reply), "GET", urlsplit(url).path)
        return reply

    def _write(self, method: str, path: str, body: Mapping[str, Any] | None) -> Written:
        url = self._url(path)
        headers = {**self._headers(), **({"Content-Type": "application/json"} if body is not None else {})}
        data = msgspec.json.encode(body) if body is not None else None
        with deadline(self._call_seconds):
            for attempt in range(WRITE_RETRIES + 1):
                try:
                    reply = send(
                        self._http,
                        method,
                        url,
                        seconds=self._call_seconds,
                        max_bytes=WRITE_MAX_BYTES,
                        data=data,
                        headers=headers,
                    )
                except PimCallError as error:
                    raise _call_error(error) from error
                if 200 <= reply.status < 300:
                    location = reply.headers.get("Location")
                    if location and _origin(location) != self._origin:
                        location = None  # never a lead to follow off the PIM
                    answer = _decoded_or_none(reply)
                    return Written(reply.status, location, answer if isinstance(answer, dict) else None)
                refusal = error_for(reply, _decoded_or_none(reply), method, urlsplit(url).path)
                wait = _wait_before_retrying(refusal, attempt)
                if wait is None:
                    raise refusal
                time.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}


class _PagesOf:
    """A walk's pages from this client's PIM: links checked for origin, answers other than 200 raised."""

    def __init__(self, client: PimApiClient) -> None:
        self._client = client
        self._channel = PageChannel(
            client._http, seconds=client._call_seconds, max_bytes=PAGE_MAX_BYTES, headers=client._headers()
        )
        self._path = ""

    def send(self, url: str) -> None:
        url = self._client._url(url)
        self._path = urlsplit(url).path
        try:
            self._channel.send(url)
        except PimCallError as error:
            raise _call_error(error) from error

    def receive(self) -> bytes:
        try:
            reply = self._channel.receive()
        except PimCallError as error:
            raise _call_error(error) from error
        if reply.status != 200:
            raise error_for(reply, _decoded_or_none(reply), "GET", self._path)
        body: bytes = reply.body
        return body

    def close(self) -> None:
        self._channel.close()


def _wait_before_retrying(error: PimApiError, attempt: int) -> int | None:
    """Seconds to wait before sending a write again, or None to give up.

    A 429 is the PIM's refusal before doing anything, so a write waits it out when the wait fits its time;
    any other failure could come after the write happened.
    """
    if not isinstance(error, PimRateLimited) or error.retry_after is None or attempt >= WRITE_RETRIES:
        return None
    remaining = remaining_time()
    return error.retry_after if remaining is not None and error.retry_after < remaining - 1.0 else None


def _call_error(error: PimCallError) -> PimApiError:
    if error.failure is CallFailure.TOO_LARGE:
        return UnexpectedAnswer(None, error.message)
    return PimUnavailable(None, error.message)


def _decoded(reply: PimReply) -> Any:
    try:
        return decode_json(reply.body)
    except ValueError:
        raise UnexpectedAnswer(200, "the PIM answered with something that is not JSON") from None


def _decoded_or_none(reply: PimReply) -> Any:
    try:
        return decode_json(reply.body) if reply.body else None
    except ValueError:
        return None


def _pagination(path: str, page_size: int) -> dict[str, Any]:
    if path.startswith(f"{CATALOGS_PATH}/"):
        return {"limit": max(1, min(page_size, MAX_CATALOG_PAGE_SIZE))}
    limit = max(1, min(page_size, MAX_PAGE_SIZE))
    if path in SEARCH_AFTER_PATHS:
        return {"pagination_type": "search_after", "limit": limit}
    return {"limit": limit}


def _json(search: Mapping[str, Any]) -> str:
    return msgspec.json.encode(search).decode()


def _segment(key: str) -> str:
    """A code or uuid as one path segment: a `/` or `?` in it cannot reach another resource."""
    return quote(key, safe="")


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a date sent to the PIM needs a time zone (datetime.now(UTC), not datetime.now())")
    return moment.astimezone(UTC)


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()
