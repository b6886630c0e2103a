"""Catalogs for Apps: created by the App through the API (disabled), enabled and given a product selection
by a person in the PIM's catalog screen, read by the App as product uuids, products or mapped products.
"""

import threading
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from pim_emulator.structure import ATTRIBUTE_BY_CODE

# The PIM's limit per App (its `max_number_of_catalogs_per_user` parameter; an App acts as one API user).
MAX_CATALOGS_PER_APP = 15
MAX_NAME_LENGTH = 255


@dataclass
class Selection:
    """The product selection criteria a person sets on the catalog screen (empty lists: no restriction)."""

    enabled_only: bool = True
    families: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def matches(self, product: dict[str, Any]) -> bool:
        if self.enabled_only and not product.get("enabled"):
            return False
        if self.families and product.get("family") not in self.families:
            return False
        return not self.categories or bool(set(self.categories) & set(product.get("categories", [])))


@dataclass
class AppCatalog:
    id: str
    name: str
    owner: str  # the client_id of the App that created it
    enabled: bool = False
    selection: Selection = field(default_factory=Selection)
    product_mapping_schema: dict[str, Any] | None = None

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "enabled": self.enabled}

    def map_product(self, product: dict[str, Any], locale: str = "en_US", channel: str = "ecommerce") -> dict:
        """The product in the App's schema. The PIM maps `uuid` itself and a person maps the other targets on
        its mapping screen; the emulator has no such screen, so a target named like an attribute gets that
        attribute's value (en_US, ecommerce) and the others stay empty, as unmapped targets do."""
        schema = self.product_mapping_schema or {}
        mapped: dict[str, Any] = {}
        for target in schema.get("properties", {}):
            if target == "uuid":
                mapped[target] = product["uuid"]
                continue
            attribute = ATTRIBUTE_BY_CODE.get(target)
            mapped[target] = _scalar(product, attribute, locale, channel) if attribute else None
        return mapped


def _scalar(product: dict[str, Any], attribute: dict[str, Any], locale: str, channel: str) -> Any:
    for value in product.get("values", {}).get(attribute["code"], []):
        if attribute["localizable"] and value.get("locale") != locale:
            continue
        if attribute["scopable"] and value.get("scope") != channel:
            continue
        return value.get("data")
    return None


class CatalogError(ValueError):
    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__(errors[0]["message"])
        self.errors = errors


class AppCatalogs:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._catalogs: dict[str, AppCatalog] = {}

    def create(self, owner: str, name: Any) -> AppCatalog:
        with self._lock:
            _check_name(name)
            if sum(1 for c in self._catalogs.values() if c.owner == owner) >= MAX_CATALOGS_PER_APP:
                raise CatalogError(
                    [
                        {
                            "property": "",
                            "message": f"You can create up to {MAX_CATALOGS_PER_APP} catalogs per App.",
                        }
                    ]
                )
            catalog = AppCatalog(id=str(uuid.uuid4()), name=name, owner=owner)
            self._catalogs[catalog.id] = catalog
            return catalog

    def owned(self, owner: str) -> list[AppCatalog]:
        with self._lock:
            return [c for c in self._catalogs.values() if c.owner == owner]

    def all(self) -> list[AppCatalog]:
        with self._lock:
            return list(self._catalogs.values())

    def get(self, catalog_id: str, owner: str | None = None) -> AppCatalog | None:
        with self._lock:
            catalog = self._catalogs.get(catalog_id.lower())
            if catalog is None or (owner is not None and catalog.owner != owner):
                return None
            return catalog

    def rename(self, catalog: AppCatalog, name: Any) -> None:
        with self._lock:
            _check_name(name)
            catalog.name = name

    def configure(self, catalog: AppCatalog, enabled: bool, selection: Selection) -> None:
        with self._lock:
            catalog.enabled = enabled
            catalog.selection = selection

    def set_mapping_schema(self, catalog: AppCatalog, schema: dict[str, Any] | None) -> None:
        with self._lock:
            catalog.product_mapping_schema = schema

    def delete(self, catalog: AppCatalog) -> None:
        with self._lock:
            self._catalogs.pop(catalog.id, None)

    def delete_owned_by(self, owner: str) -> None:
        with self._lock:
            self._catalogs = {k: c for k, c in self._catalogs.items() if c.owner != owner}

    def to_json(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(catalog) for catalog in self._catalogs.values()]

    def load(self, data: list[dict[str, Any]]) -> None:
        with self._lock:
            self._catalogs = {}
            for item in data:
                selection = Selection(**item.get("selection", {}))
                catalog = AppCatalog(**{**item, "selection": selection})
                self._catalogs[catalog.id] = catalog


def _check_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise CatalogError([{"property": "name", "message": "This value should not be blank."}])
    if len(name) > MAX_NAME_LENGTH:
        raise CatalogError(
            [
                {
                    "property": "name",
                    "message": (
                        f"This value is too long. It should have {MAX_NAME_LENGTH} characters or less."
                    ),
                }
            ]
        )
