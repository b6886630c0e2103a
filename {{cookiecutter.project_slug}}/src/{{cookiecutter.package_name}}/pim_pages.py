"""Pages of a PIM list, checked for shape, and the walk that follows their `next` links.

A page must be an object with a list of objects under `_embedded.items`; a `next` link must be a string of
reasonable length. A walk refuses a link it has seen, an empty page that claims a next one, and more than
`max_pages` pages: a PIM cannot keep it going for ever.

The walk reads one page ahead on a second thread: while the caller decodes and uses page N, page N+1 is on
its way. Akeneo writes `_links` first in every page, so the next link is read from the start of the raw
answer, before the rest is decoded; a page written in another order is simply read without the lookahead.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from .pim_errors import CatalogUnavailable, UnexpectedAnswer
from .pim_http import decode_json
from .printable import printable

MAX_PAGES = 200_000  # 20 million products at 100 a page: past that, something is looping
MAX_LINK_LENGTH = 8 * 1024  # real next links are a few hundred characters
_LINKS_FIRST = b'{"_links":'
_LINKS_WINDOW = 4 * MAX_LINK_LENGTH  # self, first, previous and next, at most
_decoder = json.JSONDecoder()


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_url: str | None


def parse_page(body: Any) -> Page:
    """The items and next link of a decoded page, or UnexpectedAnswer (CatalogUnavailable for a catalog's
    200 with an `error`)."""
    if not isinstance(body, dict):
        raise UnexpectedAnswer(None, "the PIM's answer is not a page of items (not a JSON object)")
    embedded = body.get("_embedded")
    if embedded is None and isinstance(body.get("error"), str):
        raise CatalogUnavailable(200, printable(body["error"]))
    items = embedded.get("items") if isinstance(embedded, dict) else None
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise UnexpectedAnswer(None, "the PIM's answer is not a page of items (no list of items)")
    return Page(items=items, next_url=next_link(body.get("_links", {})))


def next_link(links: Any) -> str | None:
    """The `next.href` of a page's `_links`, checked."""
    if not isinstance(links, dict):
        raise UnexpectedAnswer(None, "the PIM's answer has links that are not an object")
    link = links.get("next")
    url = link.get("href") if isinstance(link, dict) else None
    if link is not None and not isinstance(url, str):
        raise UnexpectedAnswer(None, "the PIM's next link has no address")
    if url is not None and len(url) > MAX_LINK_LENGTH:
        raise UnexpectedAnswer(None, f"the PIM's next link is longer than {MAX_LINK_LENGTH:,} characters")
    return url


def leading_next_link(raw: bytes) -> str | None:
    """The next link of a raw page that starts with its `_links`, decoded alone; None when there is none or
    the page starts otherwise (the full decode then finds it, and checks it either way)."""
    if not raw.startswith(_LINKS_FIRST):
        return None
    head = raw[len(_LINKS_FIRST) : len(_LINKS_FIRST) + _LINKS_WINDOW].decode("utf-8", "replace")
    try:
        links, _ = _decoder.raw_decode(head)
        return next_link(links)
    except (ValueError, UnexpectedAnswer):
        return None


def digest(url: str | None) -> bytes:
    """What a walk remembers of each link: 32 bytes, however long the link."""
    return hashlib.sha256((url or "").encode()).digest()


def walk_pages(load: Callable[[str], bytes], first_url: str, *, max_pages: int = MAX_PAGES) -> Iterator[Page]:
    """Every page from `first_url` on, in order; `load` returns a page's raw body or raises.

    At most one page is loaded ahead, on one thread, so a walk holds one connection to the PIM.
    """
    seen: set[bytes] = set()
    prefetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pim-page")

    def submit(url: str) -> Future[bytes]:
        link = digest(url)
        if link in seen:
            raise UnexpectedAnswer(None, "the PIM's next link points back to a page already read")
        seen.add(link)
        # The caller's context (its deadline) goes with the call to the other thread.
        return prefetch.submit(contextvars.copy_context().run, load, url)

    try:
        pending: Future[bytes] | None = prefetch.submit(contextvars.copy_context().run, load, first_url)
        pages = 0
        while pending is not None:
            raw = pending.result()
            pages += 1
            ahead = leading_next_link(raw)
            pending = submit(ahead) if ahead and pages < max_pages else None
            page = parse_page(decode_json(raw))
            del raw  # before the caller's work: one raw page at a time, besides the one on its way
            if page.next_url != ahead and ahead is not None:
                raise UnexpectedAnswer(None, "the PIM's page names two different next pages")
            if page.next_url and not page.items:
                raise UnexpectedAnswer(None, "the PIM sent an empty page with a link to a next one")
            if page.next_url and pages >= max_pages:
                raise UnexpectedAnswer(None, f"the PIM sent more than {max_pages:,} pages; stopping")
            if pending is None and page.next_url:
                pending = submit(page.next_url)
            yield page
            del page  # the caller's items go before the next page is decoded, not after
    finally:
        # A caller that stops early does not wait for the page on its way: it ends within its own deadline.
        prefetch.shutdown(wait=False, cancel_futures=True)
