"""The REST API's product endpoints (protocol notes §5), with the injected latency and 429s."""

import time
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, jsonify, request

from pim_emulator import scopes
from pim_emulator.pagination import PaginationError, paginate, parse_listing
from pim_emulator.views.common import api_error, authenticate_api_call, catalog, pim

bp = Blueprint("api", __name__, url_prefix="/api/rest/v1")

RATE_LIMIT_MESSAGE = "You have exceeded the limit of API requests per second."
FORBIDDEN_MESSAGE = "Access forbidden. You are not allowed to list products."
UUID_ENDPOINT = "products-uuid"
LEGACY_ENDPOINT = "products"


@bp.before_request
def guard() -> Response | None:
    """Faults first (they stand for the PIM's edge), then the token, then the ACL."""
    state = pim()
    faults = state.faults
    if faults.latency_ms:
        time.sleep(faults.latency_ms / 1000)
    retry_after = state.take_rate_limit()
    if retry_after is not None:
        response = api_error(429, RATE_LIMIT_MESSAGE)
        response.headers["Retry-After"] = str(retry_after)
        return response
    caller = authenticate_api_call()
    if isinstance(caller, Response):
        return caller
    if not scopes.allows(caller.granted_scopes, "read_products"):
        return api_error(403, FORBIDDEN_MESSAGE)
    return None


@bp.get("/products-uuid")
def list_products_uuid() -> Response:
    return _list_products(UUID_ENDPOINT)


@bp.get("/products")
def list_products() -> Response:
    return _list_products(LEGACY_ENDPOINT)


@bp.get("/products-uuid/<product_uuid>")
def get_product_uuid(product_uuid: str) -> Response:
    index = catalog().index_of_uuid(product_uuid)
    if index is None:
        return _not_found(product_uuid)
    return jsonify(catalog().product(index))


@bp.get("/products/<identifier>")
def get_product(identifier: str) -> Response:
    index = catalog().index_of_identifier(identifier)
    if index is None:
        return _not_found(identifier)
    return jsonify(_legacy(catalog().product(index)))


def _list_products(endpoint: str) -> Response:
    try:
        listing = parse_listing(request.args.to_dict())
    except PaginationError as error:
        response = jsonify(error.to_json())
        response.status_code = 422
        return response
    products = catalog()
    with_uuid = endpoint == UUID_ENDPOINT
    order = products.sorted_by_uuid() if with_uuid else products.sorted_by_identifier()
    base = f"{pim().config.public_url}/api/rest/v1/{endpoint}"
    try:
        page = paginate(order, listing, lambda params: f"{base}?{urlencode(params)}")
    except PaginationError as error:
        response = jsonify(error.to_json())
        response.status_code = 422
        return response
    items = []
    for index in page.indexes:
        product = products.product(index)
        if not with_uuid:
            product = _legacy(product)
        key = product["uuid"] if with_uuid else product["identifier"]
        items.append(_with_self_link(product, f"{base}/{quote(key, safe='')}"))
    body: dict[str, Any] = {"_links": _links(page.links)}
    if page.current_page is not None:
        body["current_page"] = page.current_page
    if page.items_count is not None:
        body["items_count"] = page.items_count
    body["_embedded"] = {"items": items}
    return jsonify(body)


def _legacy(product: dict[str, Any]) -> dict[str, Any]:
    """The identifier-based endpoint knows products by identifier only."""
    return {key: value for key, value in product.items() if key != "uuid"}


def _links(hrefs: dict[str, str]) -> dict[str, Any]:
    return {name: _href(href) for name, href in hrefs.items()}


def _with_self_link(product: dict[str, Any], href: str) -> dict[str, Any]:
    links = {"self": _href(href)}
    return {"_links": links, **product}


def _href(href: str) -> dict[str, str]:
    return {"href": href}


def _not_found(key: str) -> Response:
    return api_error(404, f'Product "{key}" does not exist or you do not have permission to access it.')
