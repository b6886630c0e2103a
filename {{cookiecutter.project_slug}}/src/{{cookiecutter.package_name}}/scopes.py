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
