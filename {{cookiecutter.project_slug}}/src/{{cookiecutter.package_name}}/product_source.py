"""Where a sync reads products: pages of a PIM's products, each with the link to the next one.

The sync asks a `ProductSource` for pages updated after a moment (or all of them), starting at a checkpoint:
the PIM's own next link, kept opaque (Akeneo says never to build `search_after` yourself). Two sources:
- `AllProducts`: `/api/rest/v1/products-uuid` with `search={"updated":[{"operator":">",...}]}`, search_after
  pagination (uuid order);
- `CatalogProducts`: `/api/rest/v1/catalogs/{id}/products` with `updated_after`, for an App that serves the
  products of its catalog (SYNC_CATALOG names it).

Every page is checked for shape, and every link for its origin and loops (PimApiClient.iter_pages), before
anything of it is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from .pim_api import (
    PRODUCTS_UUID_PATH,
    PimApiClient,
    UnexpectedAnswer,
    catalog_products_path,
    catalog_updated_after,
    search_param,
    updated_since,
)


@dataclass(frozen=True)
class SourcePage:
    items: list[dict[str, Any]]
    next_cursor: str | None  # the PIM's link to the next page; None on the last page


class ProductSource(Protocol):
    def pages(self, since: datetime | None, cursor: str | None) -> Iterator[SourcePage]:
        """Pages of products updated after `since` (every product when None), from `cursor` on."""
        ...


class AllProducts:
    """Every product the App's token may read, from products-uuid."""

    def __init__(self, client: PimApiClient) -> None:
        self._client = client

    def pages(self, since: datetime | None, cursor: str | None) -> Iterator[SourcePage]:
        if cursor is not None:
            return walk(self._client, cursor)
        return walk(self._client, PRODUCTS_UUID_PATH, search_param(updated_since(since)) if since else None)


class CatalogProducts:
    """The products of the App's catalog of this name in the PIM (GET /catalogs lists the App's own)."""

    def __init__(self, client: PimApiClient, catalog_name: str) -> None:
        self._client = client
        self._name = catalog_name

    def pages(self, since: datetime | None, cursor: str | None) -> Iterator[SourcePage]:
        if cursor is not None:
            return walk(self._client, cursor)
        path = catalog_products_path(self.catalog_id())
        return walk(self._client, path, catalog_updated_after(since) if since else None)

    def catalog_id(self) -> str:
        for catalog in self._client.iter_catalogs():
            if catalog.get("name") == self._name and isinstance(catalog.get("id"), str):
                if catalog.get("enabled") is False:
                    raise UnexpectedAnswer(
                        None, f'the catalog "{self._name}" is disabled in the PIM; enable it there'
                    )
                return str(catalog["id"])
        raise UnexpectedAnswer(
            None,
            f'the App has no catalog named "{self._name}" in this PIM (SYNC_CATALOG); create it, or empty '
            "SYNC_CATALOG to sync every product",
        )


def walk(
    client: PimApiClient, path_or_url: str, params: dict[str, str] | None = None
) -> Iterator[SourcePage]:
    """Follow the next links from this page on, through the client's page walk (the next page is asked for
    while this one is decoded; links checked for origin and loops; too many pages stop with an error)."""
    for page in client.iter_pages(path_or_url, params):
        yield SourcePage(page.items, page.next_url)
