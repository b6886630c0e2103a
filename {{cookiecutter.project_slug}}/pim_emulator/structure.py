"""The demo PIM's catalog structure and settings, in the REST API's format: channels, locales, currencies,
attribute groups, attributes and their options, families and family variants, categories, association types.

The products (catalog.py) and product models (models.py) are built on these codes, so every family, option,
category and channel a product mentions can be fetched here.
"""

from dataclasses import dataclass
from typing import Any

STRUCTURE_UPDATED = "2024-01-02T08:00:00+00:00"
LOCALES = ("en_US", "fr_FR", "de_DE")
ACTIVE_LOCALES = ("en_US", "fr_FR")  # the locales some channel uses: the PIM activates exactly those
CURRENCIES = (("EUR", True), ("USD", True), ("GBP", False))
IDENTIFIER_ATTRIBUTE = "sku"


@dataclass(frozen=True)
class Family:
    code: str
    prefix: str  # of the product identifiers
    noun_en: str
    noun_fr: str
    category: str
    base_price: int
    variant_axis: str | None = None  # families with product models: their variants differ by this attribute


FAMILIES: tuple[Family, ...] = (
    Family("shoes", "SHOE", "trail shoes", "Chaussures de trail", "footwear", 89, "color"),
    Family("tshirts", "TSHIRT", "organic cotton T-shirt", "T-shirt en coton bio", "apparel", 25, "color"),
    Family("mugs", "MUG", "ceramic mug", "Mug en céramique", "kitchen", 12),
    Family("headphones", "AUDIO", "wireless headphones", "Casque sans fil", "audio", 129),
    Family("backpacks", "BAG", "hiking backpack", "Sac à dos de randonnée", "outdoor", 69),
    Family("water_bottles", "BOTTLE", "insulated bottle", "Gourde isotherme", "outdoor", 19),
)
FAMILY_BY_CODE = {family.code: family for family in FAMILIES}
COLORS = (
    ("black", "Black", "Noir"),
    ("white", "White", "Blanc"),
    ("blue", "Blue", "Bleu"),
    ("red", "Red", "Rouge"),
    ("green", "Green", "Vert"),
    ("grey", "Grey", "Gris"),
    ("yellow", "Yellow", "Jaune"),
)


def _labels(en: str, fr: str) -> dict[str, str]:
    return {"en_US": en, "fr_FR": fr}


CHANNELS: tuple[dict[str, Any], ...] = (
    {
        "code": "ecommerce",
        "currencies": ["EUR", "USD"],
        "locales": ["en_US", "fr_FR"],
        "category_tree": "master",
        "conversion_units": {},
        "labels": _labels("E-commerce", "E-commerce"),
    },
    {
        "code": "mobile",
        "currencies": ["EUR"],
        "locales": ["en_US"],
        "category_tree": "master",
        "conversion_units": {},
        "labels": _labels("Mobile", "Mobile"),
    },
)
CHANNEL_BY_CODE = {channel["code"]: channel for channel in CHANNELS}

CATEGORIES: tuple[dict[str, Any], ...] = (
    {"code": "master", "parent": None, "labels": _labels("Master catalog", "Catalogue principal")},
    {"code": "footwear", "parent": "master", "labels": _labels("Footwear", "Chaussures")},
    {"code": "apparel", "parent": "master", "labels": _labels("Apparel", "Vêtements")},
    {"code": "kitchen", "parent": "master", "labels": _labels("Kitchen", "Cuisine")},
    {"code": "audio", "parent": "master", "labels": _labels("Audio", "Audio")},
    {"code": "outdoor", "parent": "master", "labels": _labels("Outdoor", "Plein air")},
    {"code": "new_arrivals", "parent": "master", "labels": _labels("New arrivals", "Nouveautés")},
)
CATEGORY_CODES = frozenset(category["code"] for category in CATEGORIES)

ASSOCIATION_TYPES: tuple[dict[str, Any], ...] = (
    {
        "code": "X_SELL",
        "labels": _labels("Cross sell", "Vente croisée"),
        "is_quantified": False,
        "is_two_way": False,
    },
    {
        "code": "UPSELL",
        "labels": _labels("Upsell", "Vente incitative"),
        "is_quantified": False,
        "is_two_way": False,
    },
    {
        "code": "SUBSTITUTION",
        "labels": _labels("Substitution", "Remplacement"),
        "is_quantified": False,
        "is_two_way": False,
    },
    {"code": "PACK", "labels": _labels("Pack", "Pack"), "is_quantified": False, "is_two_way": False},
)
ASSOCIATION_TYPE_CODES = frozenset(association["code"] for association in ASSOCIATION_TYPES)

ATTRIBUTE_GROUPS: tuple[dict[str, Any], ...] = (
    {"code": "general", "sort_order": 1, "attributes": ["sku"], "labels": _labels("General", "Général")},
    {
        "code": "marketing",
        "sort_order": 2,
        "attributes": ["name", "description", "price"],
        "labels": _labels("Marketing", "Marketing"),
    },
    {
        "code": "technical",
        "sort_order": 3,
        "attributes": ["color"],
        "labels": _labels("Technical", "Technique"),
    },
)
_GROUP_OF = {code: group["code"] for group in ATTRIBUTE_GROUPS for code in group["attributes"]}


def _attribute(
    code: str,
    attribute_type: str,
    labels: dict[str, str],
    *,
    localizable: bool = False,
    scopable: bool = False,
    sort_order: int,
    **specific: Any,
) -> dict[str, Any]:
    group = _GROUP_OF[code]
    group_labels = next(g["labels"] for g in ATTRIBUTE_GROUPS if g["code"] == group)
    return {
        "code": code,
        "type": attribute_type,
        "group": group,
        "unique": attribute_type == "pim_catalog_identifier",
        "useable_as_grid_filter": True,
        "allowed_extensions": [],
        "metric_family": None,
        "default_metric_unit": None,
        "reference_data_name": None,
        "available_locales": [],
        "max_characters": None,
        "validation_rule": None,
        "validation_regexp": None,
        "wysiwyg_enabled": None,
        "number_min": None,
        "number_max": None,
        "decimals_allowed": None,
        "negative_allowed": None,
        "date_min": None,
        "date_max": None,
        "max_file_size": None,
        "minimum_input_length": None,
        "sort_order": sort_order,
        "localizable": localizable,
        "scopable": scopable,
        "labels": labels,
        "guidelines": {},
        "auto_option_sorting": None,
        "default_value": None,
        "group_labels": group_labels,
        **specific,
    }


ATTRIBUTES: tuple[dict[str, Any], ...] = (
    _attribute("sku", "pim_catalog_identifier", _labels("SKU", "SKU"), sort_order=1, max_characters=255),
    _attribute(
        "name", "pim_catalog_text", _labels("Name", "Nom"), localizable=True, sort_order=2, max_characters=255
    ),
    _attribute(
        "description",
        "pim_catalog_textarea",
        _labels("Description", "Description"),
        localizable=True,
        scopable=True,
        sort_order=3,
        wysiwyg_enabled=False,
    ),
    _attribute(
        "price", "pim_catalog_price_collection", _labels("Price", "Prix"), sort_order=4, decimals_allowed=True
    ),
    _attribute("color", "pim_catalog_simpleselect", _labels("Color", "Couleur"), sort_order=5),
)
ATTRIBUTE_BY_CODE = {attribute["code"]: attribute for attribute in ATTRIBUTES}

ATTRIBUTE_OPTIONS: dict[str, tuple[dict[str, Any], ...]] = {
    "color": tuple(
        {"code": code, "attribute": "color", "sort_order": position, "labels": _labels(en, fr)}
        for position, (code, en, fr) in enumerate(COLORS, start=1)
    ),
}
SELECT_TYPES = frozenset({"pim_catalog_simpleselect", "pim_catalog_multiselect"})
COMMON_ATTRIBUTES = ("sku", "name", "description", "price")


def family_body(family: Family) -> dict[str, Any]:
    attributes = [*COMMON_ATTRIBUTES, "color"]
    return {
        "code": family.code,
        "attribute_as_label": "name",
        "attribute_as_image": None,
        "attributes": attributes,
        "attribute_requirements": {
            "ecommerce": ["sku", "name", "description", "price"],
            "mobile": ["sku", "name"],
        },
        "labels": _labels(family.noun_en.capitalize(), family.noun_fr),
    }


def family_variants(family: Family) -> tuple[dict[str, Any], ...]:
    if family.variant_axis is None:
        return ()
    axis = family.variant_axis
    return (
        {
            "code": f"{family.code}_by_{axis}",
            "labels": _labels(f"{family.noun_en.capitalize()} by {axis}", f"{family.noun_fr} par {axis}"),
            "variant_attribute_sets": [{"level": 1, "axes": [axis], "attributes": [axis, "sku"]}],
        },
    )


def family_variant_code(family: Family) -> str | None:
    variants = family_variants(family)
    return variants[0]["code"] if variants else None


def category_body(category: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": category["code"],
        "parent": category["parent"],
        "updated": STRUCTURE_UPDATED,
        **{"labels": category["labels"]},
    }


def locale_body(code: str) -> dict[str, Any]:
    return {"code": code, "enabled": code in ACTIVE_LOCALES}


def currency_body(code: str, enabled: bool) -> dict[str, Any]:
    return {"code": code, "enabled": enabled}
