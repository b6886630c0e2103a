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
