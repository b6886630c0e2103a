"""Copy a PIM's products into the App's database, and keep the copy current.

One run per PIM at a time (SyncStore's lease). The first run, and every run asked with `full`, reads every
product and then removes the rows of products the PIM no longer has; the others read the products updated
since the last successful run started, minus a safety margin (the App's and the PIM's clocks differ, and a
product saved while the previous run read past it is caught again). Products are written in batches of
upserts, each with the checkpoint that follows it, so a run killed at any point resumes after its last batch:
no product is lost or written twice.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from .pim_api import AppDisconnected, PimApiClient, PimApiError, PimUnavailable, RateLimited
from .product_source import AllProducts, CatalogProducts, ProductSource, SourcePage
from .sync_progress import LogProgress, Progress
from .sync_store import LeaseLost, ProductRow, Run, SyncStore, process_owner

if TYPE_CHECKING:
    from .services import Services

log = logging.getLogger(__name__)

SAFETY_MARGIN = timedelta(minutes=10)
BATCH_ROWS = 500  # products per transaction: a few pages
SYNC_CALL_SECONDS = 60.0  # one page, retries included
END_OF_PAGES = "end"  # the checkpoint once the last page is written: never a link


class SyncFailed(Exception):
    """The run stopped; the message says why, for a person. `transient` ones are worth retrying later."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.transient = transient


@dataclass(frozen=True)
class SyncReport:
    pim_url: str
    full: bool
    resumed: bool
    written: int  # products written by the whole run, resumed parts included
    removed: int
    seconds: float


def source_for(services: Services, client: PimApiClient) -> ProductSource:
    """Every product, or the products of the App's catalog when SYNC_CATALOG names one."""
    catalog = services.settings.sync_catalog
    return CatalogProducts(client, catalog) if catalog else AllProducts(client)


def sync_pim(
    services: Services,
    pim_url: str,
    *,
    full: bool = False,
    progress: Progress | None = None,
    source: ProductSource | None = None,
) -> SyncReport:
    """Run (or resume) one sync of this PIM; SyncBusy (sync_store) when another process runs one, SyncFailed
    when the run stops."""
    connection = services.store.get(pim_url)
    if connection is None or not connection.is_connected:
        raise SyncFailed(f"{pim_url} is not connected: connect the App from the PIM first")
    client = PimApiClient(services.http, pim_url, connection.access_token, SYNC_CALL_SECONDS)
    source = source or source_for(services, client)
    progress = progress or LogProgress()
    store = services.sync_store
    run = store.claim(pim_url, process_owner(), full=full, margin=SAFETY_MARGIN)
    started = time.monotonic()
    progress.started(run)
    try:
        # A run killed between its last batch and its end has nothing left to read.
        pages = iter(()) if run.cursor == END_OF_PAGES else source.pages(run.since, run.cursor)
        for rows, cursor in batches(pages):
            total = store.save_batch(run, rows, END_OF_PAGES if cursor is None else cursor)
            progress.advanced(len(rows), total)
        written, removed = store.finish(run)
    except LeaseLost:
        raise
    except AppDisconnected as error:
        services.store.mark_disconnected(pim_url)
        raise _failed(store, run, f"the PIM disconnected the App ({error.message}); reconnect it") from error
    except (PimUnavailable, RateLimited) as error:
        raise _failed(store, run, f"the PIM did not answer: {error}", transient=True) from error
    except (PimApiError, InvalidProduct) as error:
        raise _failed(store, run, str(error)) from error
    except Exception as error:
        # The database or a bug: recorded for the dashboard, then raised as is.
        store.fail(run, f"{type(error).__name__}: {error}")
        raise
    finally:
        progress.ended()
    seconds = time.monotonic() - started
    log.info(
        "Sync of %s done: %s products written, %s removed, in %.1f s",
        pim_url,
        f"{written:,}",
        f"{removed:,}",
        seconds,
    )
    return SyncReport(pim_url, run.full, run.resumed, written, removed, seconds)


def _failed(store: SyncStore, run: Run, message: str, *, transient: bool = False) -> SyncFailed:
    store.fail(run, message)
    log.warning("Sync of %s failed: %s", run.pim_url, message)
    return SyncFailed(message, transient=transient)


def batches(pages: Iterator[SourcePage]) -> Iterator[tuple[list[ProductRow], str | None]]:
    """Rows of whole pages, about BATCH_ROWS at a time, each with the next link after its last page."""
    rows: list[ProductRow] = []
    cursor: str | None = None
    for page in pages:
        rows.extend(product_row(item) for item in page.items)
        cursor = page.next_cursor
        if len(rows) >= BATCH_ROWS:
            yield rows, cursor
            rows = []
    if rows or cursor is None:
        yield rows, None


class InvalidProduct(Exception):
    """A product the PIM sent does not have the shape of one."""


def product_row(item: dict[str, Any]) -> ProductRow:
    """The columns of a product, checked: a uuid, short strings or null, an ISO 8601 `updated`."""
    raw_uuid = item.get("uuid")
    try:
        product_uuid = str(uuid.UUID(raw_uuid)) if isinstance(raw_uuid, str) else None
    except ValueError:
        product_uuid = None
    if product_uuid is None:
        raise InvalidProduct("the PIM sent a product without a valid uuid; nothing after it was written")
    return ProductRow(
        uuid=product_uuid,
        identifier=_short_text(item, "identifier", 255, product_uuid),
        family=_short_text(item, "family", 100, product_uuid),
        parent=_short_text(item, "parent", 255, product_uuid),
        updated=_moment(item.get("updated"), product_uuid),
        data=item,
    )


def _short_text(item: dict[str, Any], key: str, limit: int, product_uuid: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise InvalidProduct(f"the product {product_uuid} has a {key} that is not a text of at most {limit}")
    return value


def _moment(value: Any, product_uuid: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidProduct(f"the product {product_uuid} has an `updated` that is not an ISO 8601 date-time")
    return moment
