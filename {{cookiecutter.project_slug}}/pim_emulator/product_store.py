"""The products the API serves: the generated demo products plus what Apps created, changed or deleted.

Edits are kept as whole products by uuid (None for a deleted one), so they can be saved to the state file and
the generated catalog stays a cheap function of the index.
"""

import threading
from collections.abc import Iterator
from typing import Any

from pim_emulator.catalog import Catalog

Product = dict[str, Any]


class ProductStore:
    def __init__(self, generated: Catalog, edits: dict[str, Product | None] | None = None) -> None:
        self.generated = generated
        self._lock = threading.Lock()
        self._edits: dict[str, Product | None] = dict(edits or {})
        self._orders: dict[str, list[str]] = {}  # "uuid" / "identifier" -> sorted keys, rebuilt after edits

    # --- reading ------------------------------------------------------------------------------

    def by_uuid(self, product_uuid: str) -> Product | None:
        key = product_uuid.lower()
        with self._lock:
            if key in self._edits:
                edited = self._edits[key]
                return dict(edited) if edited is not None else None
        index = self.generated.index_of_uuid(key)
        return self.generated.product(index) if index is not None else None

    def by_identifier(self, identifier: str) -> Product | None:
        with self._lock:
            for product in self._edits.values():
                if product is not None and product["identifier"] == identifier:
                    return dict(product)
        index = self.generated.index_of_identifier(identifier)
        if index is None:
            return None
        product = self.generated.product(index)
        with self._lock:
            if product["uuid"] in self._edits:  # changed or deleted since
                return None
        return product

    def sorted_keys(self, key: str) -> list[str]:
        """Every product's uuid or identifier, in the API's order (the cursor of search_after)."""
        with self._lock:
            if not self._edits:
                return self._generated_order(key)
            if key not in self._orders:
                self._orders[key] = self._merged_order(key)
            return self._orders[key]

    def _merged_order(self, key: str) -> list[str]:
        generated = self.generated
        removed: set[str] = set()
        added: list[str] = []
        for product_uuid, product in self._edits.items():
            index = generated.index_of_uuid(product_uuid)
            if index is not None:
                removed.add(generated.uuid(index) if key == "uuid" else generated.identifier(index))
            if product is not None:
                added.append(product[key])
        return sorted([k for k in self._generated_order(key) if k not in removed] + added)

    def _generated_order(self, key: str) -> list[str]:
        generated = self.generated
        return generated.sorted_by_uuid() if key == "uuid" else generated.sorted_by_identifier()

    def get(self, key: str, value: str) -> Product | None:
        return self.by_uuid(value) if key == "uuid" else self.by_identifier(value)

    def all(self, key: str = "uuid") -> Iterator[Product]:
        for value in self.sorted_keys(key):
            product = self.get(key, value)
            if product is not None:
                yield product

    def identifier_taken(self, identifier: str, except_uuid: str | None = None) -> bool:
        product = self.by_identifier(identifier)
        return product is not None and product["uuid"] != except_uuid

    # --- writing ------------------------------------------------------------------------------

    def save(self, product: Product) -> None:
        with self._lock:
            self._edits[product["uuid"].lower()] = product
            self._orders.clear()

    def delete(self, product_uuid: str) -> None:
        with self._lock:
            self._edits[product_uuid.lower()] = None
            self._orders.clear()

    def to_json(self) -> dict[str, Product | None]:
        with self._lock:
            return dict(self._edits)

    def replace_edits(self, edits: dict[str, Product | None]) -> None:
        with self._lock:
            self._edits = dict(edits)
            self._orders.clear()
