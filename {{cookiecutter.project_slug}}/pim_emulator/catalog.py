"""A deterministic demo catalog: the same products on every run, built on demand by index.

Only the sort orders are computed (once, lazily); product bodies are made per request, so a
catalog of 100,000 products costs a few lists of strings, not 100,000 dictionaries.
"""

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pim_emulator.structure import COLORS, FAMILIES, IDENTIFIER_ATTRIBUTE, Family, family_variant_code

# Fixed namespace: product uuids are uuid5(namespace, identifier), stable across runs.
PRODUCT_NAMESPACE = uuid.UUID("7d3c8f0e-5b1a-4c2e-9f6d-2a1b3c4d5e6f")
LABEL_ATTRIBUTE = "name"
MODELS = ("Alpine", "Breeze", "Cobalt", "Dune", "Ember", "Fjord", "Glacier", "Harbor", "Iris")
_EPOCH = datetime(2024, 1, 8, 9, 0, tzinfo=UTC)
# Creation dates spread over one year, then start again: a large catalog never has products updated in the
# future, which an App's "updated since the last sync" query would find on every run.
_CREATION_SPAN_MINUTES = 365 * 24 * 60


class Catalog:
    def __init__(self, product_count: int) -> None:
        self.product_count = product_count
        self._lock = threading.Lock()
        self._uuids: list[str] | None = None
        self._uuid_index: dict[str, int] | None = None
        self._by_uuid: list[str] | None = None
        self._by_identifier: list[str] | None = None

    # --- keys -----------------------------------------------------------------------------

    @staticmethod
    def family_of(index: int) -> Family:
        return FAMILIES[index % len(FAMILIES)]

    def identifier(self, index: int) -> str:
        return f"{self.family_of(index).prefix}-{index + 1:06d}"

    def uuid(self, index: int) -> str:
        return self._uuid_list()[index]

    def index_of_identifier(self, identifier: str) -> int | None:
        # Identifiers encode their index ("MUG-000003" is index 2), so no lookup table is needed.
        _, _, number = identifier.rpartition("-")
        if not number.isdigit():
            return None
        index = int(number) - 1
        if 0 <= index < self.product_count and self.identifier(index) == identifier:
            return index
        return None

    def index_of_uuid(self, product_uuid: str) -> int | None:
        with self._lock:
            if self._uuid_index is None:
                self._uuid_index = {value: i for i, value in enumerate(self._uuid_list_locked())}
            return self._uuid_index.get(product_uuid.lower())

    def sorted_by_uuid(self) -> list[str]:
        """Every uuid in the API's order (the search_after cursor of products-uuid)."""
        with self._lock:
            if self._by_uuid is None:
                self._by_uuid = sorted(self._uuid_list_locked())
            return self._by_uuid

    def sorted_by_identifier(self) -> list[str]:
        """Every identifier in the API's order (the search_after cursor of the legacy endpoint)."""
        with self._lock:
            if self._by_identifier is None:
                self._by_identifier = sorted(self.identifier(i) for i in range(self.product_count))
            return self._by_identifier

    def _uuid_list(self) -> list[str]:
        with self._lock:
            return self._uuid_list_locked()

    def _uuid_list_locked(self) -> list[str]:
        if self._uuids is None:
            self._uuids = [
                str(uuid.uuid5(PRODUCT_NAMESPACE, self.identifier(i))) for i in range(self.product_count)
            ]
        return self._uuids

    # --- products -------------------------------------------------------------------------

    def product(self, index: int) -> dict[str, Any]:
        """The product in Akeneo's REST format (with `uuid`; the legacy endpoint drops it)."""
        family = self.family_of(index)
        serial = index // len(FAMILIES)
        model = MODELS[serial % len(MODELS)]
        color, color_en, color_fr = COLORS[(serial // len(MODELS)) % len(COLORS)]
        created = _EPOCH + timedelta(minutes=(37 * index) % _CREATION_SPAN_MINUTES)
        updated = created + timedelta(days=(index * 7) % 60, hours=index % 9)
        price = family.base_price + (serial % 5) * 5
        categories = [family.category]
        if index % 5 == 0:
            categories.append("new_arrivals")
        descriptions = [
            _localized(
                "en_US",
                "ecommerce",
                f"The {model} {family.noun_en} in {color_en.lower()}. Demo product #{index + 1}.",
            ),
        ]
        if index % 7 != 3:  # the others lack their French description: incomplete on ecommerce in fr_FR
            descriptions.append(
                _localized(
                    "fr_FR",
                    "ecommerce",
                    f"{family.noun_fr} {model}, coloris {color_fr.lower()}. "
                    f"Produit de démonstration n° {index + 1}.",
                )
            )
        return {
            "uuid": self.uuid(index),
            "identifier": self.identifier(index),
            "enabled": index % 13 != 12,
            "family": family.code,
            "categories": categories,
            "groups": [],
            "parent": model_code(family, model),
            "values": {
                IDENTIFIER_ATTRIBUTE: [_localized(None, None, self.identifier(index))],
                "name": [
                    _localized("en_US", None, f"{model} {family.noun_en} ({color_en.lower()})"),
                    _localized("fr_FR", None, f"{family.noun_fr} {model} ({color_fr.lower()})"),
                ],
                "description": descriptions,
                "color": [_localized(None, None, color)],
                "price": [
                    _localized(
                        None,
                        None,
                        [
                            {"amount": f"{price}.99", "currency": "EUR"},
                            {"amount": f"{price + 4}.99", "currency": "USD"},
                        ],
                    ),
                ],
            },
            "created": _iso(created),
            "updated": _iso(updated),
            "associations": {},
            "quantified_associations": {},
        }


def model_code(family: Family, model: str) -> str | None:
    """The product model a product of this family and model name belongs to (None: a simple product)."""
    if family_variant_code(family) is None:
        return None
    return f"{family.code}_{model.lower()}"


def product_models() -> list[dict[str, Any]]:
    """One product model per model name of each family with variants, with the values variants share."""
    models = []
    for family in FAMILIES:
        variant = family_variant_code(family)
        if variant is None:
            continue
        for model in MODELS:
            models.append(
                {
                    "code": model_code(family, model),
                    "family": family.code,
                    "family_variant": variant,
                    "parent": None,
                    "categories": [family.category],
                    "values": {
                        "name": [
                            _localized("en_US", None, f"{model} {family.noun_en}"),
                            _localized("fr_FR", None, f"{family.noun_fr} {model}"),
                        ],
                    },
                    "created": _iso(_EPOCH),
                    "updated": _iso(_EPOCH),
                    "associations": {},
                    "quantified_associations": {},
                }
            )
    return models


def _localized(locale: str | None, scope: str | None, data: Any) -> dict[str, Any]:
    return {"locale": locale, "scope": scope, "data": data}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


PRODUCT_MODEL_CODES = frozenset(model["code"] for model in product_models())
