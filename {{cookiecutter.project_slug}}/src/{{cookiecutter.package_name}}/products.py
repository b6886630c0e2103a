"""What the dashboard shows of a product: a key, its family and a human label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Attributes commonly used as a family's label; the real one is the family's attribute_as_label.
LABEL_ATTRIBUTES = ("name", "label", "title", "product_name", "description")
PREFERRED_LOCALES = ("en_US", "en_GB")


@dataclass(frozen=True)
class ProductSummary:
    key: str  # the uuid, or the identifier on PIMs without uuids
    identifier: str
    family: str
    label: str


def summarize(product: dict[str, Any]) -> ProductSummary:
    identifier = str(product.get("identifier") or "")
    key = str(product.get("uuid") or identifier)
    return ProductSummary(
        key=key,
        identifier=identifier,
        family=str(product.get("family") or "—"),
        label=product_label(product) or identifier or key,
    )


def product_label(product: dict[str, Any]) -> str | None:
    values = product.get("values")
    if not isinstance(values, dict):
        return None
    for attribute in LABEL_ATTRIBUTES:
        entries = values.get(attribute)
        if not isinstance(entries, list):
            continue
        candidates = [v for v in entries if isinstance(v, dict) and v.get("data")]
        if not candidates:
            continue
        for locale in PREFERRED_LOCALES:
            for value in candidates:
                if value.get("locale") == locale:
                    return str(value["data"])
        return str(candidates[0]["data"])
    return None
