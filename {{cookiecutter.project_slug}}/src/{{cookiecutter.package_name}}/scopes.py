"""The scopes an Akeneo PIM knows: the PIM silently drops any other, so a typo would go unnoticed."""

KNOWN_SCOPES = frozenset(
    {
{%- for scope in cookiecutter._known_scopes %}
        "{{ scope }}",
{%- endfor %}
    }
)
# Without one of these, the product API answers 403.
PRODUCT_READ_SCOPES = frozenset({"read_products", "write_products", "delete_products"})


def parse_scopes(text: str) -> tuple[str, ...]:
    """Split a space-separated scope string, keeping order and dropping repeats."""
    return tuple(dict.fromkeys(text.split()))


def granted_scopes(text: str) -> tuple[str, ...]:
    """The scopes a PIM says it granted, sorted; only those the App knows, so the stored list stays short and
    printable whatever the PIM sends."""
    return tuple(sorted(scope for scope in set(text.split()) if scope in KNOWN_SCOPES))


def unknown_scopes(scopes: tuple[str, ...]) -> list[str]:
    return [scope for scope in scopes if scope not in KNOWN_SCOPES]


# Authentication scopes say who the user is; they grant nothing in the API.
AUTHENTICATION_SCOPES = frozenset({"openid", "profile", "email"})
# Akeneo's scope hierarchy: a higher scope of a family grants the lower ones (delete ⇒ write ⇒ read).
_LOWER = {"delete_": ("write_", "read_"), "write_": ("read_",), "manage_": ("read_",)}


def with_implied(scopes: tuple[str, ...] | frozenset[str]) -> frozenset[str]:
    """The scopes and every lower one they grant, as the PIM compares them."""
    granted = set(scopes)
    for scope in scopes:
        for prefix, lowers in _LOWER.items():
            if scope.startswith(prefix):
                granted.update(f"{lower}{scope.removeprefix(prefix)}" for lower in lowers)
    return frozenset(granted)


def missing_scopes(asked: tuple[str, ...], granted: tuple[str, ...]) -> list[str]:
    """The authorization scopes the App asks for that the grant does not cover."""
    covered = with_implied(granted)
    return [scope for scope in asked if scope not in AUTHENTICATION_SCOPES and scope not in covered]


# The family of scopes each REST resource needs (Akeneo's scope mappers), by the path's first segment after
# /api/rest/v1/; a few sub-resources have their own.
_RESOURCE_SCOPES = {
    "products": "products",
    "products-uuid": "products",
    "product-models": "products",
    "families": "catalog_structure",
    "attributes": "catalog_structure",
    "attribute-groups": "catalog_structure",
    "categories": "categories",
    "channels": "channel_settings",
    "measurement-families": "channel_settings",
    "locales": "channel_localization",
    "currencies": "channel_localization",
    "association-types": "association_types",
    "catalogs": "catalogs",
    "asset-families": "asset_families",
    "reference-entities": "reference_entities",
}
_SUB_RESOURCE_SCOPES = {
    ("attributes", "options"): "attribute_options",
    ("asset-families", "assets"): "assets",
    ("reference-entities", "records"): "reference_entity_records",
}
API_PREFIX = "/api/rest/v1/"


def scope_for_call(method: str, path: str, message: str = "") -> str | None:
    """The scope a REST call needs, to name it when the PIM answers 403; None for an unknown resource.

    A catalog's products need two scopes: the PIM's message says which one it missed.
    """
    segments = path.partition(API_PREFIX)[2].split("?", 1)[0].split("/")
    family = _RESOURCE_SCOPES.get(segments[0])
    if family is None:
        return None
    if len(segments) >= 3:
        family = _SUB_RESOURCE_SCOPES.get((segments[0], segments[2]), family)
        if family == "catalogs" and "product" in segments[2] and "catalog" not in message.lower():
            family = "products"
    verb = {"GET": "read", "HEAD": "read", "DELETE": "delete"}.get(method.upper(), "write")
    if f"{verb}_{family}" not in KNOWN_SCOPES:
        verb = "write"
    scope = f"{verb}_{family}"
    return scope if scope in KNOWN_SCOPES else None
