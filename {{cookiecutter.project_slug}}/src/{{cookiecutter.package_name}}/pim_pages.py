"""Pages of a PIM list, checked for shape, and the walk that follows their `next` links.

A page must be an object with a list of objects under `_embedded.items` (decoded whole, or with each item
decoded and checked when it is taken: LazyPage); a `next` link must be a string of reasonable length. A walk
refuses a next link that loops back, an empty page that claims a next one, and more than `max_pages` pages:
a PIM cannot keep it going for ever.

As soon as page N has arrived, the request for page N+1 leaves, and the caller decodes and uses page N while
the PIM prepares the next one. Akeneo writes `_links` first in every page, so the next link is read from the
start of the raw answer, without decoding the rest; a page written in another order is read without this
head start (its link is followed once the page is decoded).
"""

from __future__ import annotations

import gc
import hashlib
import json
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sized
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import msgspec

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


@dataclass(frozen=True)
class LazyPage:
    """A page whose items are decoded one at a time, as they are used (`decode_item`).

    Only one item's objects exist at a time for a caller that goes through them: no cycle-collector pass
    is ever due on a page's worth of objects, and the walk's memory is the raw page, a small handle per item
    and one decoded item. An item that is not a JSON object is found when its turn comes.
    """

    items: list[msgspec.Raw]
    next_url: str | None


class _Items(msgspec.Struct):
    items: list[msgspec.Raw]


class _PageOfRawItems(msgspec.Struct):
    embedded: _Items = msgspec.field(name="_embedded")
    links: dict[str, Any] = msgspec.field(name="_links", default_factory=dict)


_page_of_raw_items = msgspec.json.Decoder(_PageOfRawItems)
_item_decoder = msgspec.json.Decoder(dict[str, Any])  # an object, or a ValidationError


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


def decode_page(raw: bytes) -> Page:
    """A raw page, decoded and checked; UnexpectedAnswer if it is not JSON or not a page."""
    try:
        with _cycle_collection_paused():
            body = decode_json(raw)
    except ValueError:
        raise UnexpectedAnswer(200, "the PIM answered with something that is not JSON") from None
    return parse_page(body)


def decode_page_lazily(raw: bytes) -> LazyPage:
    """A raw page checked for shape, its items left undecoded (decode_item decodes and checks each as it is
    taken); a page of any other shape goes through decode_page, which says what is wrong with it."""
    try:
        page = _page_of_raw_items.decode(raw)
    except (ValueError, RecursionError):  # msgspec's DecodeError and a UnicodeDecodeError are ValueErrors
        whole = decode_page(raw)  # raises UnexpectedAnswer or CatalogUnavailable, or finds a page after all
        return LazyPage([msgspec.Raw(msgspec.json.encode(item)) for item in whole.items], whole.next_url)
    return LazyPage(page.embedded.items, next_link(page.links))


def decode_item(item: msgspec.Raw) -> dict[str, Any]:
    """An item of a LazyPage, decoded; UnexpectedAnswer if it is not a JSON object."""
    try:
        decoded: dict[str, Any] = _item_decoder.decode(item)
        return decoded
    except (ValueError, RecursionError):  # msgspec's errors and a UnicodeDecodeError are ValueErrors
        pass
    try:  # a rare failure, told apart by the plain decoder: not JSON at all, or JSON but not an object
        decode_json(item)
    except ValueError:
        raise UnexpectedAnswer(200, "the PIM answered with something that is not JSON") from None
    raise UnexpectedAnswer(None, "the PIM's answer is not a page of items (an item is not an object)")


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


class PageSource(Protocol):
    """Where a walk gets its pages: `send(url)` asks for one, `receive()` returns its raw body or raises."""

    def send(self, url: str) -> None: ...

    def receive(self) -> bytes: ...

    def close(self) -> None: ...


class _AnyPage(Protocol):
    @property
    def items(self) -> Sized: ...

    @property
    def next_url(self) -> str | None: ...


PageT = TypeVar("PageT", bound=_AnyPage)


def walk_pages(
    source: PageSource,
    first_url: str,
    *,
    decode: Callable[[bytes], PageT],
    max_pages: int = MAX_PAGES,
) -> Iterator[PageT]:
    """Every page from `first_url` on, in order, each decoded by `decode` (decode_page, decode_page_lazily).

    As soon as a page has arrived, the request for the next one leaves (when its link is at the start of
    the page); this page is then decoded and used while the PIM prepares the next one.
    """
    loops = LoopGuard()
    pages = 0
    try:
        source.send(first_url)
        while True:
            raw = source.receive()
            pages += 1
            ahead = leading_next_link(raw) if pages < max_pages else None
            if ahead is not None:
                loops.check(ahead)
                source.send(ahead)
            page = decode(raw)
            del raw  # before the caller's work: one raw page at a time (a lazy page's items hold it)
            if ahead is not None and page.next_url != ahead:
                raise UnexpectedAnswer(None, "the PIM's page names two different next pages")
            if page.next_url and not page.items:
                raise UnexpectedAnswer(None, "the PIM sent an empty page with a link to a next one")
            if page.next_url and pages >= max_pages:
                raise UnexpectedAnswer(None, f"the PIM sent more than {max_pages:,} pages; stopping")
            if ahead is None and page.next_url:
                loops.check(page.next_url)
                source.send(page.next_url)
            last = page.next_url is None
            yield page
            del page  # the caller's items go before the next page is decoded, not after
            if last:
                return
    finally:
        source.close()  # a caller that stops early drops the answer on its way with the connection


class LoopGuard:
    """Stops a walk whose next links come back to a link already followed, in constant memory.

    The last RECENT links are remembered exactly; a longer cycle is caught by Brent's method (a checkpoint
    link, moved at every power of two), within twice its length plus its start. However long the walk,
    the guard's memory stays the same.
    """

    RECENT = 64

    def __init__(self) -> None:
        self._recent: deque[bytes] = deque(maxlen=self.RECENT)
        self._checkpoint = b""
        self._steps = 0
        self._next_move = 1

    def check(self, url: str) -> None:
        link = digest(url)
        if link in self._recent or link == self._checkpoint:
            raise UnexpectedAnswer(None, "the PIM's next link points back to a page already read")
        self._recent.append(link)
        self._steps += 1
        if self._steps == self._next_move:
            self._checkpoint = link
            self._next_move *= 2


_collector_lock = threading.Lock()
_collector_pausers = 0
_collector_was_enabled = False


class _cycle_collection_paused:  # lower case: used like a function
    """Python's cycle collector, paused while a page is decoded (other threads' walks included).

    A page decodes into thousands of dicts and lists, none in a cycle, and every few hundred of them the
    collector scans the whole heap for cycles: a third of the decoding time, for nothing. Reference
    counting still frees everything as usual; the collector resumes after the page, if it was running.
    Never paused across a `yield`: a walk left suspended (or caught in a reference cycle) must not keep
    the collector off. A class rather than a generator-based context manager: it is entered once per page.
    """

    __slots__ = ()

    def __enter__(self) -> None:
        global _collector_pausers, _collector_was_enabled
        with _collector_lock:
            if _collector_pausers == 0:
                _collector_was_enabled = gc.isenabled()
                gc.disable()
            _collector_pausers += 1

    def __exit__(self, *_: object) -> None:
        global _collector_pausers
        with _collector_lock:
            _collector_pausers -= 1
            if _collector_pausers == 0 and _collector_was_enabled:
                gc.enable()
