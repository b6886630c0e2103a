"""The REST API's catalogs for Apps: the App creates, lists, renames and deletes its catalogs and reads their
products; a person enables them and sets their selection on the catalog screen (catalog_screen.py)."""

import json
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from pim_emulator.app_catalogs import AppCatalog, CatalogError
from pim_emulator.pagination import PaginationError, paginate, parse_listing
from pim_emulator.views.common import (
    api_error,
    api_url,
    app_catalogs,
    caller,
    forbidden_unless,
    guard_api,
    href,
    json_response,
    pagination_error,
    products,
)

bp = Blueprint("catalogs_api", __name__, url_prefix="/api/rest/v1")
bp.before_request(guard_api)

READ = ("read_catalogs", "access app catalogs")
EDIT = ("write_catalogs", "edit app catalogs")
REMOVE = ("delete_catalogs", "delete app catalogs")
PRODUCTS = ("read_products", "access products")
DEFAULT_PRODUCT_LIMIT = 100
MAX_PRODUCT_LIMIT = 1000


@bp.get("/catalogs")
def list_catalogs() -> Response:
    if denied := forbidden_unless(*READ):
        return denied
    owned = {catalog.id: catalog for catalog in app_catalogs().owned(caller().client_id)}
    base = api_url("catalogs")
    try:
        listing = parse_listing(request.args.to_dict(), search_after_supported=False)
        page = paginate(sorted(owned), listing, lambda params: f"{base}?{urlencode(params)}")
    except PaginationError as error:
        return pagination_error(error)
    return json_response(
        {
            "_links": {name: href(url) for name, url in page.links.items()},
            "current_page": page.current_page,
            "_embedded": {"items": [owned[key].to_api() for key in page.keys]},
        }
    )


@bp.post("/catalogs")
def create_catalog() -> Response:
    if denied := forbidden_unless(*EDIT):
        return denied
    try:
        catalog = app_catalogs().create(caller().client_id, _body().get("name"))
    except CatalogError as error:
        return _violations(error.errors)
    return json_response(catalog.to_api(), 201)


@bp.get("/catalogs/<catalog_id>")
def get_catalog(catalog_id: str) -> Response:
    catalog = _owned(catalog_id, READ)
    return catalog if isinstance(catalog, Response) else json_response(catalog.to_api())


@bp.patch("/catalogs/<catalog_id>")
def update_catalog(catalog_id: str) -> Response:
    catalog = _owned(catalog_id, EDIT)
    if isinstance(catalog, Response):
        return catalog
    try:
        app_catalogs().rename(catalog, _body().get("name"))
    except CatalogError as error:
        return _violations(error.errors)
    return json_response(catalog.to_api())


@bp.delete("/catalogs/<catalog_id>")
def delete_catalog(catalog_id: str) -> Response:
    catalog = _owned(catalog_id, REMOVE)
    if isinstance(catalog, Response):
        return catalog
    app_catalogs().delete(catalog)
    return Response(status=204)


@bp.put("/catalogs/<catalog_id>/mapping-schemas/product")
def put_mapping_schema(catalog_id: str) -> Response:
    catalog = _owned(catalog_id, EDIT)
    if isinstance(catalog, Response):
        return catalog
    schema = _body()
    if not isinstance(schema.get("properties"), dict):
        return json_response(
            {
                "code": 422,
                "message": "Validation failed.",
                "errors": [{"property": "", "message": "You must provide a valid schema."}],
            },
            422,
        )
    app_catalogs().set_mapping_schema(catalog, schema)
    return Response(status=204)


@bp.get("/catalogs/<catalog_id>/mapping-schemas/product")
def get_mapping_schema(catalog_id: str) -> Response:
    catalog = _owned(catalog_id, READ)
    if isinstance(catalog, Response):
        return catalog
    if catalog.product_mapping_schema is None:
        return api_error(404, f'Product mapping schema not found for catalog "{catalog.id}".')
    return json_response(catalog.product_mapping_schema)


@bp.delete("/catalogs/<catalog_id>/mapping-schemas/product")
def delete_mapping_schema(catalog_id: str) -> Response:
    catalog = _owned(catalog_id, EDIT)
    if isinstance(catalog, Response):
        return catalog
    app_catalogs().set_mapping_schema(catalog, None)
    return Response(status=204)


@bp.get("/catalogs/<catalog_id>/product-uuids")
def catalog_product_uuids(catalog_id: str) -> Response:
    return _catalog_products(catalog_id, "product-uuids", lambda catalog, product: product["uuid"])


@bp.get("/catalogs/<catalog_id>/products")
def catalog_products(catalog_id: str) -> Response:
    return _catalog_products(catalog_id, "products", lambda catalog, product: product)


@bp.get("/catalogs/<catalog_id>/mapped-products")
def catalog_mapped_products(catalog_id: str) -> Response:
    return _catalog_products(
        catalog_id, "mapped-products", lambda catalog, product: catalog.map_product(product)
    )


@bp.get("/catalogs/<catalog_id>/products/<product_uuid>")
def catalog_product(catalog_id: str, product_uuid: str) -> Response:
    return _catalog_product(catalog_id, product_uuid, mapped=False)


@bp.get("/catalogs/<catalog_id>/mapped-products/<product_uuid>")
def catalog_mapped_product(catalog_id: str, product_uuid: str) -> Response:
    return _catalog_product(catalog_id, product_uuid, mapped=True)


def _catalog_product(catalog_id: str, product_uuid: str, *, mapped: bool) -> Response:
    catalog = _owned(catalog_id, READ, PRODUCTS)
    if isinstance(catalog, Response):
        return catalog
    if not catalog.enabled:
        return _disabled(catalog, "No product to synchronize.")
    if mapped and catalog.product_mapping_schema is None:
        return json_response(
            {"error": "Impossible to map the product: no product mapping schema available for this catalog."}
        )
    product = products().by_uuid(product_uuid)
    if product is None or not catalog.selection.matches(product):
        return api_error(
            404,
            f'Either catalog "{catalog_id}" does not exist or you can\'t access it, or product '
            f'"{product_uuid}" does not exist or you do not have permission to access it.',
        )
    return json_response(catalog.map_product(product) if mapped else product)


def _catalog_products(catalog_id: str, path: str, item: Any) -> Response:
    catalog = _owned(catalog_id, READ, PRODUCTS)
    if isinstance(catalog, Response):
        return catalog
    search_after = request.args.get("search_after")
    updated_after = request.args.get("updated_after")
    updated_before = request.args.get("updated_before")
    limit_text = request.args.get("limit", str(DEFAULT_PRODUCT_LIMIT))
    problems = _parameter_problems(search_after, limit_text, updated_after, updated_before)
    if problems:
        return _violations(problems)
    limit = int(limit_text)
    after, before = _moment(updated_after), _moment(updated_before)
    if not catalog.enabled:
        return _disabled(catalog, "No products to synchronize.")
    if path == "mapped-products" and catalog.product_mapping_schema is None:
        return json_response(
            {"error": "Impossible to map products: no product mapping schema available for this catalog."}
        )
    selected = []
    for product in products().all("uuid"):
        if search_after is not None and product["uuid"] <= search_after.lower():
            continue
        updated = datetime.fromisoformat(product["updated"])
        if (after and updated <= after) or (before and updated >= before):
            continue
        if catalog.selection.matches(product):
            selected.append(product)
            if len(selected) == limit:
                break
    base = api_url(f"catalogs/{catalog.id}/{path}")

    def link(cursor: str | None) -> dict[str, str]:
        params = {
            "search_after": cursor,
            "limit": str(limit),
            "updated_after": updated_after,
            "updated_before": updated_before,
        }
        return href(f"{base}?{urlencode({k: v for k, v in params.items() if v is not None})}")

    links = {"self": link(search_after), "first": link(None)}
    if selected and len(selected) >= limit:
        links["next"] = link(selected[-1]["uuid"])
    return json_response({"_links": links, "_embedded": {"items": [item(catalog, p) for p in selected]}})


def _parameter_problems(
    search_after: str | None, limit: str, updated_after: str | None, updated_before: str | None
) -> list[dict[str, str]]:
    """The PIM's checks of the catalog product queries, with their messages."""
    problems = []
    if search_after is not None and not _is_uuid(search_after):
        problems.append({"property": "searchAfter", "message": "This value is not a valid UUID."})
    if not limit.lstrip("-").isdigit() or not 1 <= int(limit) <= MAX_PRODUCT_LIMIT:
        problems.append(
            {"property": "limit", "message": f"This value should be between 1 and {MAX_PRODUCT_LIMIT}."}
        )
    for name, raw in (("updatedAfter", updated_after), ("updatedBefore", updated_before)):
        if raw is not None and _moment(raw) is None:
            problems.append({"property": name, "message": "ISO 8601 format is required."})
    return problems


def _is_uuid(raw: str) -> bool:
    try:
        uuid.UUID(raw)
    except ValueError:
        return False
    return True


def _moment(raw: str | None) -> datetime | None:
    """An ISO 8601 date-time with its offset ("2022-09-06" alone is refused, as by the PIM)."""
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _owned(catalog_id: str, *grants: tuple[str, str]) -> AppCatalog | Response:
    """The caller's catalog, once its token holds every grant; else the PIM's 403, or its 404 (a catalog of
    another App is reported as missing)."""
    for scope, action in grants:
        if denied := forbidden_unless(scope, action):
            return denied
    catalog = app_catalogs().get(catalog_id, owner=caller().client_id)
    if catalog is None:
        return api_error(404, f'Catalog "{catalog_id}" does not exist or you can\'t access it.')
    return catalog


def _disabled(catalog: AppCatalog, start: str) -> Response:
    # The PIM answers 200 with an error field, not an error status.
    return json_response(
        {
            "error": f"{start} The catalog {catalog.id} has been disabled on the PIM side."
            " Note that you can get catalogs status with the GET /api/rest/v1/catalogs endpoint."
        }
    )


class _InvalidJson(ValueError):
    pass


def _body() -> dict[str, Any]:
    """The JSON object sent; a body that is not JSON is a 400, as the PIM decodes it strictly."""
    try:
        body = json.loads(request.get_data(as_text=True))
    except ValueError:
        raise _InvalidJson from None
    return body if isinstance(body, dict) else {}


def _violations(errors: list[dict[str, str]]) -> Response:
    return json_response({"code": 422, "message": "Validation failed.", "errors": errors}, 422)


@bp.errorhandler(_InvalidJson)
def _invalid_json(error: _InvalidJson) -> Response:
    return api_error(400, "Invalid json message received")  # the status is the PIM's; the words are ours
