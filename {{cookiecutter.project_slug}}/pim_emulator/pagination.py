"""Akeneo's list pagination: `page` (offset) and `search_after` (cursor) modes, with its messages."""

import bisect
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
MAX_RESULT_WINDOW = 10_000  # the search engine's from+size cap behind page mode
PAGE = "page"
SEARCH_AFTER = "search_after"
_OWN_PARAMS = ("pagination_type", "page", "limit", "with_count", "search_after")
_PAGE_CAP_MESSAGE = (
    'You have reached the maximum number of pages you can retrieve with the "page" pagination'
    " type. Please use the search after pagination type instead"
)
_PAGE_CAP_DOCS = "http://api.akeneo.com/documentation/pagination.html#search-after-type"


class PaginationError(ValueError):
    """Answered as 422 {"code": 422, "message": ...} (plus `_links` when the PIM adds them)."""

    def __init__(self, message: str, links: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.links = links

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": 422, "message": self.message}
        if self.links:
            body["_links"] = self.links
        return body


@dataclass(frozen=True)
class Listing:
    pagination_type: str
    limit: int
    page: int
    with_count: bool
    search_after: str | None
    other_params: dict[str, str]  # search, locales…: accepted, ignored, echoed in links


@dataclass(frozen=True)
class Page:
    keys: list[str]
    links: dict[str, str]
    current_page: int | None
    items_count: int | None


def parse_listing(args: Mapping[str, str], *, search_after_supported: bool = True) -> Listing:
    """Validate the query parameters in the PIM's order, with its messages."""
    pagination_type = args.get("pagination_type", PAGE)
    if pagination_type not in (PAGE, SEARCH_AFTER):
        raise PaginationError("Pagination type does not exist.")
    if pagination_type == SEARCH_AFTER and not search_after_supported:
        raise PaginationError("Pagination type is not supported.")
    limit = _positive_int(args.get("limit"), DEFAULT_LIMIT, "limit")
    if limit > MAX_LIMIT:
        raise PaginationError(f"You cannot request more than {MAX_LIMIT} items.")
    page = 1
    with_count = False
    if pagination_type == PAGE:
        page = _positive_int(args.get("page"), 1, "page")
        raw_count = args.get("with_count")
        if raw_count is not None and raw_count not in ("true", "false"):
            raise PaginationError(
                'Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, '
                f'"{raw_count}" given.'
            )
        with_count = raw_count == "true"
    return Listing(
        pagination_type=pagination_type,
        limit=limit,
        page=page,
        with_count=with_count,
        search_after=args.get("search_after") if pagination_type == SEARCH_AFTER else None,
        other_params={k: v for k, v in args.items() if k not in _OWN_PARAMS},
    )


def _positive_int(raw: str | None, default: int, name: str) -> int:
    if raw is None:
        return default
    # Like the PIM: the text must be exactly an integer's canonical form ("05", "1.0" are not).
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if str(value) != raw or value < 1:
        raise PaginationError(f'"{raw}" is not a valid {name} number.')
    return value


def paginate(order: list[str], listing: Listing, href: Callable[[dict[str, str]], str]) -> Page:
    """Select one page of the sorted keys and build its links (`next` only on a full page)."""
    if listing.pagination_type == PAGE:
        return _offset_page(order, listing, href)
    return _search_after_page(order, listing, href)


def _offset_page(order: list[str], listing: Listing, href: Callable[[dict[str, str]], str]) -> Page:
    start = (listing.page - 1) * listing.limit
    if start + listing.limit > MAX_RESULT_WINDOW:
        documentation = {"href": _PAGE_CAP_DOCS}
        raise PaginationError(_PAGE_CAP_MESSAGE, {"documentation": documentation})
    keys = order[start : start + listing.limit]

    def link(page: int) -> str:
        return href(
            {
                **listing.other_params,
                "page": str(page),
                "with_count": "true" if listing.with_count else "false",
                "pagination_type": PAGE,
                "limit": str(listing.limit),
            }
        )

    links = {"self": link(listing.page), "first": link(1)}
    if listing.page > 1:
        links["previous"] = link(listing.page - 1)
    if len(keys) == listing.limit:
        links["next"] = link(listing.page + 1)
    count = len(order) if listing.with_count else None
    return Page(keys, links, current_page=listing.page, items_count=count)


def _search_after_page(order: list[str], listing: Listing, href: Callable[[dict[str, str]], str]) -> Page:
    # The cursor is the last key of the previous page: start right after it.
    start = bisect.bisect_right(order, listing.search_after) if listing.search_after else 0
    keys = order[start : start + listing.limit]

    def link(search_after: str | None) -> str:
        params = {**listing.other_params, "pagination_type": SEARCH_AFTER, "limit": str(listing.limit)}
        if search_after is not None:
            params["search_after"] = search_after
        return href(params)

    links = {"self": link(listing.search_after), "first": link(None)}
    if len(keys) == listing.limit:
        links["next"] = link(keys[-1])
    return Page(keys, links, current_page=None, items_count=None)
