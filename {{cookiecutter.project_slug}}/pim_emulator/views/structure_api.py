"""The REST API's catalog structure and settings: list (offset pagination only, as in the PIM) and get one,
each behind the scope the PIM maps to its ACL."""

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, request

from pim_emulator.catalog import product_models
from pim_emulator.pagination import PaginationError, paginate, parse_listing
from pim_emulator.structure import (
    ASSOCIATION_TYPES,
    ATTRIBUTE_GROUPS,
    ATTRIBUTE_OPTIONS,
    ATTRIBUTES,
    CATEGORIES,
    CHANNELS,
    CURRENCIES,
    FAMILIES,
    FAMILY_BY_CODE,
    LOCALES,
    category_body,
    currency_body,
    family_body,
    family_variants,
    locale_body,
)
from pim_emulator.views.common import (
    api_error,
    api_url,
    forbidden_unless,
    guard_api,
    href,
    json_response,
    pagination_error,
)

bp = Blueprint("structure_api", __name__, url_prefix="/api/rest/v1")
bp.before_request(guard_api)

Items = Callable[[], Sequence[dict[str, Any]]]


def _resource(
    path: str,
    items: Items,
    scope: str,
    noun: str,
    not_found: str,
    *,
    search_after: bool = False,
) -> None:
    """Register `GET /{path}` and `GET /{path}/{code}` for a list of items keyed by code."""
    endpoint = path.replace("-", "_")

    def list_items() -> Response:
        if denied := forbidden_unless(scope, noun):
            return denied
        return _list(path, items(), search_after)

    def get_item(code: str) -> Response:
        if denied := forbidden_unless(scope, noun):
            return denied
        found = next((item for item in items() if item["code"] == code), None)
        if found is None:
            return api_error(404, not_found.format(code=code))
        return json_response(found)

    bp.add_url_rule(f"/{path}", f"list_{endpoint}", list_items)
    bp.add_url_rule(f"/{path}/<code>", f"get_{endpoint}", get_item)


def _list(path: str, items: Sequence[dict[str, Any]], search_after: bool) -> Response:
    try:
        listing = parse_listing(request.args.to_dict(), search_after_supported=search_after)
        by_code = {item["code"]: item for item in items}
        base = api_url(path)
        page = paginate(sorted(by_code), listing, lambda params: f"{base}?{urlencode(params)}")
    except PaginationError as error:
        return pagination_error(error)
    body: dict[str, Any] = {"_links": {name: href(url) for name, url in page.links.items()}}
    if page.current_page is not None:
        body["current_page"] = page.current_page
    if page.items_count is not None:
        body["items_count"] = page.items_count
    body["_embedded"] = {
        "items": [
            {"_links": {"self": href(f"{base}/{quote(code, safe='')}")}, **by_code[code]}
            for code in page.keys
        ]
    }
    return json_response(body)


_resource(
    "channels", lambda: CHANNELS, "read_channel_settings", "list channels", 'Channel "{code}" does not exist.'
)
_resource(
    "locales",
    lambda: [locale_body(code) for code in LOCALES],
    "read_channel_localization",
    "list locales",
    'Locale "{code}" does not exist.',
)
_resource(
    "currencies",
    lambda: [currency_body(code, enabled) for code, enabled in CURRENCIES],
    "read_channel_localization",
    "list currencies",
    'Currency "{code}" does not exist.',
)
_resource(
    "families",
    lambda: [family_body(family) for family in FAMILIES],
    "read_catalog_structure",
    "list families",
    'Family "{code}" does not exist.',
)
_resource(
    "attributes",
    lambda: ATTRIBUTES,
    "read_catalog_structure",
    "list attributes",
    'Attribute "{code}" does not exist.',
)
_resource(
    "attribute-groups",
    lambda: ATTRIBUTE_GROUPS,
    "read_catalog_structure",
    "list attribute groups",
    'Attribute group "{code}" does not exist.',
)
_resource(
    "categories",
    lambda: [category_body(category) for category in CATEGORIES],
    "read_categories",
    "list categories",
    'Category "{code}" does not exist.',
)
_resource(
    "association-types",
    lambda: ASSOCIATION_TYPES,
    "read_association_types",
    "list association types",
    'Association type "{code}" does not exist.',
)
# Product models are read with the products' scope and, like products, also page with search_after.
_resource(
    "product-models",
    product_models,
    "read_products",
    "list product models",
    'Product model "{code}" does not exist or you do not have permission to access it.',
    search_after=True,
)


@bp.get("/families/<family_code>/variants")
def list_family_variants(family_code: str) -> Response:
    if denied := forbidden_unless("read_catalog_structure", "list family variants"):
        return denied
    family = FAMILY_BY_CODE.get(family_code)
    if family is None:
        return api_error(404, f'Family "{family_code}" does not exist.')
    return _list(f"families/{family_code}/variants", family_variants(family), search_after=False)


@bp.get("/families/<family_code>/variants/<code>")
def get_family_variant(family_code: str, code: str) -> Response:
    if denied := forbidden_unless("read_catalog_structure", "list family variants"):
        return denied
    family = FAMILY_BY_CODE.get(family_code)
    if family is None:
        return api_error(404, f'Family "{family_code}" does not exist.')
    found = next((variant for variant in family_variants(family) if variant["code"] == code), None)
    if found is None:
        return api_error(404, f'Family variant "{code}" does not exist.')
    return json_response(found)


@bp.get("/attributes/<attribute_code>/options")
def list_attribute_options(attribute_code: str) -> Response:
    if denied := forbidden_unless("read_attribute_options", "list attribute options"):
        return denied
    if attribute_code not in {a["code"] for a in ATTRIBUTES}:
        return api_error(404, f'Attribute "{attribute_code}" does not exist.')
    if attribute_code not in ATTRIBUTE_OPTIONS:
        return api_error(
            404,
            f'Attribute "{attribute_code}" does not support options. Only attributes of type '
            '"pim_catalog_simpleselect", "pim_catalog_multiselect" support options.',
        )
    return _list(
        f"attributes/{attribute_code}/options", ATTRIBUTE_OPTIONS[attribute_code], search_after=False
    )


@bp.get("/attributes/<attribute_code>/options/<code>")
def get_attribute_option(attribute_code: str, code: str) -> Response:
    if denied := forbidden_unless("read_attribute_options", "list attribute options"):
        return denied
    options = ATTRIBUTE_OPTIONS.get(attribute_code)
    found = next((option for option in options or () if option["code"] == code), None)
    if found is None:
        return api_error(404, f'Attribute option "{attribute_code}.{code}" does not exist.')
    return json_response(found)
