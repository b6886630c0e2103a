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


# The scope each REST API resource needs, by the first segment of its path under /api/rest/v1/, for reading
# and for writing (a DELETE needs the delete_ scope where the family has one).
_RESOURCE_SCOPES = {
    "products-uuid": "products",
    "products": "products",
    "product-models": "products",
    "families": "catalog_structure",
    "attributes": "catalog_structure",
    "attribute-groups": "catalog_structure",
    "categories": "categories",
    "channels": "channel_settings",
    "locales": "channel_localization",
    "currencies": "channel_localization",
    "association-types": "association_types",
    "catalogs": "catalogs",
}
_WITH_DELETE = frozenset({"products", "catalogs"})
API_PREFIX = "/api/rest/v1/"


def required_scope(method: str, path: str) -> str | None:
    """The scope a call needs, as the PIM's scope mappers grant it; None for a path the App does not know."""
    start = path.find(API_PREFIX)  # after the PIM's own path prefix, if it has one
    if start < 0:
        return None
    segments = path[start + len(API_PREFIX) :].split("/")
    family = _RESOURCE_SCOPES.get(segments[0])
    if family is None:
        return None
    if segments[0] == "attributes" and len(segments) >= 3 and segments[2] == "options":
        family = "attribute_options"
    if family == "channel_localization":
        return "read_channel_localization"  # locales and currencies are read-only
    method = method.upper()
    if method in ("GET", "HEAD"):
        return f"read_{family}"
    if method == "DELETE" and family in _WITH_DELETE:
        return f"delete_{family}"
    return f"write_{family}"
