"""The PIM's scope vocabulary: parsing a requested scope string, the write-implies-read hierarchy,
and the words the consent page uses."""

from collections.abc import Iterable
from dataclasses import dataclass

MAX_SCOPE_LENGTH = 1000

# Each scope and the lower scopes it implies, as the PIM's scope hierarchy has it. The Enterprise/SaaS scopes
# come from the docs table only; their hierarchy follows the same write/delete pattern.
IMPLIED: dict[str, tuple[str, ...]] = {
    "read_products": (),
    "write_products": ("read_products",),
    "delete_products": ("read_products", "write_products"),
    "read_catalog_structure": (),
    "write_catalog_structure": ("read_catalog_structure",),
    "read_attribute_options": (),
    "write_attribute_options": ("read_attribute_options",),
    "read_categories": (),
    "write_categories": ("read_categories",),
    "read_channel_localization": (),
    "read_channel_settings": (),
    "write_channel_settings": ("read_channel_settings",),
    "read_association_types": (),
    "write_association_types": ("read_association_types",),
    "read_catalogs": (),
    "write_catalogs": ("read_catalogs",),
    "delete_catalogs": ("read_catalogs", "write_catalogs"),
    "read_asset_families": (),
    "write_asset_families": ("read_asset_families",),
    "read_assets": (),
    "write_assets": ("read_assets",),
    "delete_assets": ("read_assets", "write_assets"),
    "read_reference_entities": (),
    "write_reference_entities": ("read_reference_entities",),
    "read_reference_entity_records": (),
    "write_reference_entity_records": ("read_reference_entity_records",),
    "read_workflows": (),
    "read_workflow_step_assignees": (),
    "read_workflow_tasks": (),
    "write_workflow_tasks": ("read_workflow_tasks",),
    "create_suggestions": (),
    "read_suggestions": (),
    "manage_suggestions": (),
}

AUTHORIZATION_SCOPES = frozenset(IMPLIED)
OPENID = "openid"
AUTHENTICATION_SCOPES = frozenset({"openid", "profile", "email"})

_VERBS = {"read": "Read", "write": "Edit", "delete": "Delete", "create": "Create", "manage": "Manage"}


@dataclass(frozen=True)
class RequestedScopes:
    """A scope string split the PIM's way: known scopes only, de-duplicated, sorted."""

    authorization: tuple[str, ...]
    authentication: tuple[str, ...]


def parse(raw: str) -> RequestedScopes:
    # Split on single spaces like PHP explode(' '); empty and unknown tokens are dropped.
    tokens = set(raw.split(" "))
    return RequestedScopes(
        authorization=tuple(sorted(tokens & AUTHORIZATION_SCOPES)),
        authentication=tuple(sorted(tokens & AUTHENTICATION_SCOPES)),
    )


def expand(scopes: Iterable[str]) -> frozenset[str]:
    """The scopes plus every lower scope they imply."""
    expanded: set[str] = set()
    for scope in scopes:
        expanded.add(scope)
        expanded.update(IMPLIED.get(scope, ()))
    return frozenset(expanded)


def new_scopes(requested: Iterable[str], granted: Iterable[str]) -> frozenset[str]:
    """Requested scopes not already covered by the granted ones (hierarchy-aware)."""
    return expand(requested) - expand(granted)


def allows(granted: Iterable[str], needed: str) -> bool:
    return needed in expand(granted)


def highest(scopes: Iterable[str]) -> tuple[str, ...]:
    """Drop every scope implied by another one in the list: {read, write} -> {write}."""
    scope_set = set(scopes)
    implied_by_others = {lower for scope in scope_set for lower in IMPLIED.get(scope, ())}
    return tuple(sorted(scope_set - implied_by_others))


def describe(scope: str) -> str:
    """Human words for a scope: "write_products" -> "Edit products"."""
    verb, _, subject = scope.partition("_")
    return f"{_VERBS.get(verb, verb.capitalize())} {subject.replace('_', ' ')}"


def join(scopes: Iterable[str]) -> str:
    """The PIM's way of writing a scope list: sorted, de-duplicated, space-separated."""
    return " ".join(sorted(set(scopes)))
