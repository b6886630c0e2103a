"""The REST API's product reads: list (with search and value filters) and get one, by uuid or identifier."""

from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, request

from pim_emulator.pagination import PaginationError, paginate, parse_listing
from pim_emulator.product_payload import (
    filter_values,
)
from pim_emulator.search import SearchError, parse_search
from pim_emulator.structure import ACTIVE_LOCALES, ATTRIBUTE_BY_CODE, CHANNEL_BY_CODE
from pim_emulator.views.common import (
    api_error,
    api_url,
    forbidden_unless,
    guard_api,
    href,
    json_response,
    pagination_error,
    products,
)

bp = Blueprint("api", __name__, url_prefix="/api/rest/v1")
bp.before_request(guard_api)

UUID_ENDPOINT = "products-uuid"
LEGACY_ENDPOINT = "products"
LIST = ("read_products", "list products")
EDIT = ("write_products", "create or update products")
REMOVE = ("delete_products", "delete products")
_SEARCH_PARAMS = ("search", "search_locale", "search_scope")


@bp.get("/products-uuid")
def list_products_uuid() -> Response:
    return forbidden_unless(*LIST) or _list_products(UUID_ENDPOINT)


@bp.get("/products")
def list_products() -> Response:
    return forbidden_unless(*LIST) or _list_products(LEGACY_ENDPOINT)


@bp.get("/products-uuid/<product_uuid>")
def get_product_uuid(product_uuid: str) -> Response:
    if denied := forbidden_unless(*LIST):
        return denied
    product = products().by_uuid(product_uuid)
    if product is None:
        return _not_found(product_uuid)
    return json_response(product)


@bp.get("/products/<identifier>")
def get_product(identifier: str) -> Response:
    if denied := forbidden_unless(*LIST):
        return denied
    product = products().by_identifier(identifier)
    if product is None:
        return _not_found(identifier)
    return json_response(_legacy(product))


def _list_products(endpoint: str) -> Response:
    args = request.args.to_dict()
    try:
        listing = parse_listing(args)
    except PaginationError as error:
        return pagination_error(error)
    try:
        matches = parse_search(args.get("search"), args.get("search_locale"), args.get("search_scope"))
        scope, locales, attributes = _value_filters(args)
    except SearchError as error:
        return api_error(error.status, error.message)
    with_uuid = endpoint == UUID_ENDPOINT
    key = "uuid" if with_uuid else "identifier"
    store = products()
    if "search" in args:
        order = [product[key] for product in store.all(key) if matches(product) and product.get(key)]
    else:
        order = store.sorted_keys(key)
    base = api_url(endpoint)
    try:
        page = paginate(order, listing, lambda params: f"{base}?{urlencode(params)}")
    except PaginationError as error:
        return pagination_error(error)
    items = []
    for value in page.keys:
        product = store.get(key, value)
        if product is None:
            continue
        product = filter_values(product, scope, locales, attributes)
        if not with_uuid:
            product = _legacy(product)
        items.append({"_links": {"self": href(f"{base}/{quote(value, safe='')}")}, **product})
    body: dict[str, Any] = {"_links": {name: href(url) for name, url in page.links.items()}}
    if page.current_page is not None:
        body["current_page"] = page.current_page
    if page.items_count is not None:
        body["items_count"] = page.items_count
    body["_embedded"] = {"items": items}
    return json_response(body)


def _value_filters(args: dict[str, str]) -> tuple[str | None, list[str] | None, list[str] | None]:
    """The `scope`, `locales` and `attributes` parameters, checked like the PIM's list query validator."""
    scope = args.get("scope")
    if scope is not None and scope not in CHANNEL_BY_CODE:
        raise SearchError(422, f'Scope "{scope}" does not exist.')
    locales = [code.strip() for code in args["locales"].split(",")] if "locales" in args else None
    if locales is not None:
        unknown = [code for code in locales if code not in ACTIVE_LOCALES]
        if unknown:
            noun = "Locale" if len(unknown) == 1 else "Locales"
            verb = (
                "does not exist or is not activated"
                if len(unknown) == 1
                else "do not exist or are not activated"
            )
            raise SearchError(422, f'{noun} "{", ".join(unknown)}" {verb}.')
        if scope is not None:
            outside = [code for code in locales if code not in CHANNEL_BY_CODE[scope]["locales"]]
            if len(outside) == 1:
                raise SearchError(422, f'Locale "{outside[0]}" is not activated for the scope "{scope}".')
            if outside:
                raise SearchError(
                    422, f'Locales "{", ".join(outside)}" are not activated for the scope "{scope}".'
                )
    attributes = [code.strip() for code in args["attributes"].split(",")] if "attributes" in args else None
    if attributes is not None:
        unknown = [code for code in attributes if code not in ATTRIBUTE_BY_CODE]
        if unknown:
            noun = "Attribute" if len(unknown) == 1 else "Attributes"
            verb = "does not exist" if len(unknown) == 1 else "do not exist"
            raise SearchError(422, f'{noun} "{", ".join(unknown)}" {verb}.')
    return scope, locales, attributes


def _legacy(product: dict[str, Any]) -> dict[str, Any]:
    """The identifier-based endpoint knows products by identifier only, in associations too."""
    legacy = {key: value for key, value in product.items() if key != "uuid"}
    legacy["associations"] = {
        kind: {
            "groups": links.get("groups", []),
            "products": [identifier_of(value) for value in links.get("product_uuids", [])],
            "product_models": links.get("product_models", []),
        }
        for kind, links in product.get("associations", {}).items()
    }
    return legacy


def identifier_of(product_uuid: str) -> str | None:
    product = products().by_uuid(product_uuid)
    return product["identifier"] if product else None


def _not_found(key: str) -> Response:
    return api_error(404, f'Product "{key}" does not exist or you do not have permission to access it.')
