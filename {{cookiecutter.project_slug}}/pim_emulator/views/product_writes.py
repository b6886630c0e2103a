"""The REST API's product writes: create, update (PATCH) and delete, by uuid and on the legacy identifier
endpoints, with the PIM's answers (201 or 204 with a Location header, and its 400 and 422 bodies)."""

import json
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, request

from pim_emulator.product_payload import PayloadError, apply_payload, documented, new_product, violations
from pim_emulator.views.common import api_error, api_url, forbidden_unless, guard_api, json_response, products

bp = Blueprint("product_writes", __name__, url_prefix="/api/rest/v1")
bp.before_request(guard_api)

EDIT = ("write_products", "create or update products")
REMOVE = ("delete_products", "delete products")
NO_IDENTIFIER = (
    "Validation failed. The identifier field is required for this endpoint. If you want to manipulate"
    " products without identifiers, please use products-uuid endpoints."
)


@bp.post("/products-uuid")
def create_by_uuid() -> Response:
    if denied := forbidden_unless(*EDIT):
        return denied
    try:
        payload = _json_body()
        product_uuid = payload.get("uuid")
        if product_uuid is not None and products().by_uuid(str(product_uuid)) is not None:
            raise violations(
                [{"property": "uuid", "message": "The same uuid is already set on another product"}]
            )
        product = apply_payload(new_product(product_uuid), payload, "post_products_uuid")
        _check_identifier(product)
    except PayloadError as error:
        return json_response(error.body, error.status)
    products().save(product)
    return _written(product, 201, by_uuid=True)


@bp.patch("/products-uuid/<product_uuid>")
def update_by_uuid(product_uuid: str) -> Response:
    if denied := forbidden_unless(*EDIT):
        return denied
    current = products().by_uuid(product_uuid)
    try:
        payload = _json_body()
        if "uuid" in payload and str(payload["uuid"]).lower() != product_uuid.lower():
            raise _mismatch("uuid", payload["uuid"], product_uuid)
        base = current or new_product(product_uuid.lower())
        product = apply_payload(base, payload, "patch_products_uuid__uuid_")
        _check_identifier(product)
    except PayloadError as error:
        return json_response(error.body, error.status)
    products().save(product)
    return _written(product, 204 if current is not None else 201, by_uuid=True)


@bp.delete("/products-uuid/<product_uuid>")
def delete_by_uuid(product_uuid: str) -> Response:
    if denied := forbidden_unless(*REMOVE):
        return denied
    if products().by_uuid(product_uuid) is None:
        return _not_found(product_uuid)
    products().delete(product_uuid)
    return Response(status=204)


@bp.post("/products")
def create_by_identifier() -> Response:
    if denied := forbidden_unless(*EDIT):
        return denied
    try:
        payload = _json_body()
        if not payload.get("identifier"):
            # The source names the products-uuid anchor here.
            raise documented_plain(NO_IDENTIFIER, "post_products_uuid")
        product = apply_payload(
            new_product(None), _with_product_uuids(payload, "post_products"), "post_products"
        )
        _check_identifier(product)
    except PayloadError as error:
        return json_response(error.body, error.status)
    products().save(product)
    return _written(product, 201, by_uuid=False)


@bp.patch("/products/<identifier>")
def update_by_identifier(identifier: str) -> Response:
    if denied := forbidden_unless(*EDIT):
        return denied
    current = products().by_identifier(identifier)
    try:
        payload = _json_body()
        if "identifier" in payload and not payload["identifier"]:
            raise documented_plain(NO_IDENTIFIER, "patch_products_uuid__uuid_")
        if current is None and "identifier" in payload and payload["identifier"] != identifier:
            raise _mismatch("identifier", payload["identifier"], identifier)
        payload = {
            **_with_product_uuids(payload, "patch_products__code_"),
            "identifier": payload.get("identifier", identifier),
        }
        product = apply_payload(current or new_product(None), payload, "patch_products__code_")
        _check_identifier(product)
    except PayloadError as error:
        return json_response(error.body, error.status)
    products().save(product)
    return _written(product, 204 if current is not None else 201, by_uuid=False)


@bp.delete("/products/<identifier>")
def delete_by_identifier(identifier: str) -> Response:
    if denied := forbidden_unless(*REMOVE):
        return denied
    product = products().by_identifier(identifier)
    if product is None:
        return _not_found(identifier)
    products().delete(product["uuid"])
    return Response(status=204)


def _json_body() -> dict[str, Any]:
    try:
        payload = json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        payload = None
    if not isinstance(payload, dict):
        raise PayloadError({"code": 400, "message": "Invalid json message received"}, status=400)
    return payload


def documented_plain(message: str, anchor: str) -> PayloadError:
    """A documented 422 whose message is used as is (no "Check the expected format" hint)."""
    error = documented(message, anchor)
    error.body["message"] = message
    return error


def _mismatch(field: str, given: Any, in_url: str) -> PayloadError:
    return PayloadError(
        {
            "code": 422,
            "message": f'The {field} "{given}" provided in the request body must match the {field} "{in_url}"'
            " provided in the url.",
        }
    )


def _with_product_uuids(payload: dict[str, Any], anchor: str) -> dict[str, Any]:
    """The legacy format names associated products by identifier; they are kept by uuid."""
    associations = payload.get("associations")
    if not isinstance(associations, dict):
        return payload
    converted: dict[str, Any] = {}
    for kind, links in associations.items():
        if not isinstance(links, dict) or "products" not in links:
            converted[kind] = links
            continue
        uuids = []
        for identifier in links["products"]:
            product = products().by_identifier(str(identifier))
            if product is None:
                raise documented(
                    'Property "associations" expects a valid product identifier. '
                    f'The product does not exist, "{identifier}" given.',
                    anchor,
                )
            uuids.append(product["uuid"])
        converted[kind] = {**{k: v for k, v in links.items() if k != "products"}, "product_uuids": uuids}
    return {**payload, "associations": converted}


def _check_identifier(product: dict[str, Any]) -> None:
    identifier = product.get("identifier")
    if identifier and products().identifier_taken(identifier, except_uuid=product["uuid"]):
        raise violations(
            [
                {
                    "property": "identifier",
                    "message": f"The {identifier} identifier is already used for another product.",
                }
            ]
        )


def _written(product: dict[str, Any], status: int, *, by_uuid: bool) -> Response:
    response = Response(status=status)
    key = product["uuid"] if by_uuid else quote(product["identifier"], safe="")
    path = f"products-uuid/{key}" if by_uuid else f"products/{key}"
    response.headers["Location"] = api_url(path)
    return response


def _not_found(key: str) -> Response:
    return api_error(404, f'Product "{key}" does not exist or you do not have permission to access it.')
