"""Products written through the API: the payload's checks (with the PIM's 422 bodies) and its merge rules, and
the `scope` / `locales` / `attributes` filters of the values read back.

Merge rules of a PATCH, as the PIM's updater applies them: a field left out keeps its value; `categories`
and `groups` are replaced as a whole; in `values`, each given (attribute, locale, scope) replaces that one
value and every other value is kept (data null empties it); in `associations`, each given type and kind
is replaced.
"""

import uuid
from datetime import UTC, datetime
from typing import Any

from pim_emulator.catalog import PRODUCT_MODEL_CODES
from pim_emulator.php_types import gettype
from pim_emulator.structure import (
    ACTIVE_LOCALES,
    ASSOCIATION_TYPE_CODES,
    ATTRIBUTE_BY_CODE,
    ATTRIBUTE_OPTIONS,
    CATEGORY_CODES,
    CHANNEL_BY_CODE,
    FAMILY_BY_CODE,
    IDENTIFIER_ATTRIBUTE,
)

Product = dict[str, Any]
DOCUMENTATION = "http://api.akeneo.com/api-reference.html#"
FIELDS = (
    "uuid",
    "identifier",
    "enabled",
    "family",
    "categories",
    "groups",
    "parent",
    "values",
    "associations",
    "quantified_associations",
    "created",
    "updated",
)


class PayloadError(ValueError):
    """A 422 (or 400) with the PIM's body."""

    def __init__(self, body: dict[str, Any], status: int = 422) -> None:
        super().__init__(body.get("message", ""))
        self.body = body
        self.status = status


def documented(message: str, anchor: str) -> PayloadError:
    """A property error: the PIM appends its hint and a link to the endpoint's documentation."""
    return PayloadError(
        {
            "code": 422,
            "message": f"{message} Check the expected format on the API documentation.",
            "_links": {"documentation": {"href": DOCUMENTATION + anchor}},
        }
    )


def violations(errors: list[dict[str, Any]]) -> PayloadError:
    return PayloadError({"code": 422, "message": "Validation failed.", "errors": errors})


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def new_product(product_uuid: str | None) -> Product:
    created = now_iso()
    return {
        "uuid": product_uuid or str(uuid.uuid4()),
        "identifier": None,
        "enabled": True,
        "family": None,
        "categories": [],
        "groups": [],
        "parent": None,
        "values": {},
        "created": created,
        "updated": created,
        "associations": {},
        "quantified_associations": {},
    }


def apply_payload(product: Product, payload: Any, anchor: str) -> Product:
    """The product with the payload merged in, or a PayloadError naming the first mistake."""
    if not isinstance(payload, dict):
        raise PayloadError({"code": 400, "message": "Invalid json message received"}, status=400)
    for field in payload:
        if field not in FIELDS:
            raise documented(f'Property "{field}" does not exist.', anchor)
    changed = {**product, "values": {k: list(v) for k, v in product["values"].items()}}
    if "identifier" in payload:
        identifier = payload["identifier"]
        if identifier is not None and not isinstance(identifier, str):
            raise documented(
                f'Property "identifier" expects a string as data, "{gettype(identifier)}" given.', anchor
            )
        changed["identifier"] = identifier
    if "enabled" in payload:
        if not isinstance(payload["enabled"], bool):
            raise documented(
                f'Property "enabled" expects a boolean as data, "{gettype(payload["enabled"])}" given.',
                anchor,
            )
        changed["enabled"] = payload["enabled"]
    if "family" in payload:
        family = payload["family"]
        if family is not None and family not in FAMILY_BY_CODE:
            raise documented(
                'Property "family" expects a valid family code. '
                f'The family does not exist, "{family}" given.',
                anchor,
            )
        changed["family"] = family
    if "categories" in payload:
        changed["categories"] = _codes_in(
            payload["categories"], "categories", "category", CATEGORY_CODES, anchor
        )
    if "groups" in payload:
        if payload["groups"]:
            group = payload["groups"][0]
            raise documented(
                f'Property "groups" expects a valid group code. The group does not exist, "{group}" given.',
                anchor,
            )
        changed["groups"] = []
    if "parent" in payload:
        parent = payload["parent"]
        if parent is not None and parent not in PRODUCT_MODEL_CODES:
            raise documented(
                'Property "parent" expects a valid parent code. '
                f'The parent product model does not exist, "{parent}" given.',
                anchor,
            )
        changed["parent"] = parent
    if "values" in payload:
        _merge_values(changed["values"], payload["values"], anchor)
    if "associations" in payload:
        changed["associations"] = _merge_associations(
            product["associations"], payload["associations"], anchor
        )
    if "identifier" in payload and changed["identifier"]:
        # The identifier field wins and is mirrored into the identifier attribute's value...
        changed["values"][IDENTIFIER_ATTRIBUTE] = [
            {"locale": None, "scope": None, "data": changed["identifier"]}
        ]
    elif IDENTIFIER_ATTRIBUTE in changed["values"]:
        # ...and without it, the products-uuid endpoints take the identifier from that value.
        changed["identifier"] = changed["values"][IDENTIFIER_ATTRIBUTE][0]["data"]
    changed["updated"] = now_iso()
    return changed


def _codes_in(raw: Any, field: str, noun: str, known: frozenset[str], anchor: str) -> list[str]:
    if not isinstance(raw, list):
        raise documented(f'Property "{field}" expects an array as data, "{gettype(raw)}" given.', anchor)
    for code in raw:
        if not isinstance(code, str) or code not in known:
            raise documented(
                f'Property "{field}" expects a valid {noun} code. The {noun} does not exist, "{code}" given.',
                anchor,
            )
    return list(dict.fromkeys(raw))


def _merge_values(values: dict[str, list[dict[str, Any]]], raw: Any, anchor: str) -> None:
    if not isinstance(raw, dict):
        raise documented('Property "values" expects an array as data.', anchor)
    for code, given in raw.items():
        attribute = ATTRIBUTE_BY_CODE.get(code)
        if attribute is None:
            raise documented(f'Property "{code}" does not exist.', anchor)
        if not isinstance(given, list) or not all(isinstance(v, dict) and "data" in v for v in given):
            raise documented(
                f'Property "{code}" expects an array of values with "locale", "scope" and "data" keys.',
                anchor,
            )
        current = values.get(code, [])
        for value in given:
            locale, scope, data = value.get("locale"), value.get("scope"), value["data"]
            _check_context(attribute, locale, scope, anchor)
            _check_data(attribute, data, locale, scope, anchor)
            current = [v for v in current if (v.get("locale"), v.get("scope")) != (locale, scope)]
            if data not in (None, "", []):
                current.append({"locale": locale, "scope": scope, "data": data})
        if current:
            values[code] = current
        else:
            values.pop(code, None)


def _check_context(attribute: dict[str, Any], locale: Any, scope: Any, anchor: str) -> None:
    """The PIM's attribute validator helper: the locale and scope a value needs, in its words."""
    code = attribute["code"]
    if attribute["localizable"] and locale is None:
        raise documented(f'Attribute "{code}" expects a locale, none given.', anchor)
    if not attribute["localizable"] and locale is not None:
        raise documented(f'Attribute "{code}" does not expect a locale, "{locale}" given.', anchor)
    if locale is not None and locale not in ACTIVE_LOCALES:
        raise documented(
            f'Attribute "{code}" expects an existing and activated locale, "{locale}" given.', anchor
        )
    if attribute["scopable"] and scope is None:
        raise documented(f'Attribute "{code}" expects a scope, none given.', anchor)
    if not attribute["scopable"] and scope is not None:
        raise documented(f'Attribute "{code}" does not expect a scope, "{scope}" given.', anchor)
    if scope is not None and scope not in CHANNEL_BY_CODE:
        raise documented(f'Attribute "{code}" expects an existing scope, "{scope}" given.', anchor)


def _check_data(attribute: dict[str, Any], data: Any, locale: Any, scope: Any, anchor: str) -> None:
    code, kind = attribute["code"], attribute["type"]
    if data is None:
        return
    if kind in ("pim_catalog_text", "pim_catalog_textarea", "pim_catalog_identifier") and not isinstance(
        data, str
    ):
        raise documented(f'Property "{code}" expects a string as data, "{gettype(data)}" given.', anchor)
    if kind == "pim_catalog_simpleselect":
        options = {option["code"] for option in ATTRIBUTE_OPTIONS.get(code, ())}
        if data not in options:
            # The product validator's AttributeOptionsExist constraint, in the source's current words (older
            # PIMs said 'Property "color" expects a valid code. The option "purple" does not exist').
            raise violations(
                [
                    {
                        "property": "values",
                        "message": f"The {data} value is not in the {code} attribute option list.",
                        "attribute": code,
                        "locale": locale,
                        "scope": scope,
                    }
                ]
            )
    if kind == "pim_catalog_price_collection" and (
        not isinstance(data, list)
        or not all(isinstance(p, dict) and {"amount", "currency"} <= p.keys() for p in data)
    ):
        raise documented(
            f'Property "{code}" expects an array with the key "amount" and "currency" as data.', anchor
        )


def _merge_associations(current: dict[str, Any], raw: Any, anchor: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise documented('Property "associations" expects an array as data.', anchor)
    merged = {kind: dict(links) for kind, links in current.items()}
    for association_type, kinds in raw.items():
        if association_type not in ASSOCIATION_TYPE_CODES:
            raise documented(
                'Property "associations" expects a valid association type code. '
                f'The association type does not exist, "{association_type}" given.',
                anchor,
            )
        if not isinstance(kinds, dict):
            raise documented('Property "associations" expects an array as data.', anchor)
        # The products-uuid format names associated products by uuid.
        entry = merged.setdefault(association_type, {"groups": [], "product_uuids": [], "product_models": []})
        for kind, codes in kinds.items():
            entry[kind] = list(codes)
    return merged


# --- reading back --------------------------------------------------------------------------------


def filter_values(
    product: Product, scope: str | None, locales: list[str] | None, attributes: list[str] | None
) -> Product:
    """Keep only the values of the channel (and its locales), the locales and the attributes asked for."""
    if scope is None and locales is None and attributes is None:
        return product
    wanted_locales = locales
    if wanted_locales is None and scope is not None:
        wanted_locales = CHANNEL_BY_CODE[scope]["locales"]
    values = {}
    for code, entries in product["values"].items():
        if attributes is not None and code not in attributes:
            continue
        kept = [
            entry
            for entry in entries
            if (scope is None or entry.get("scope") in (None, scope))
            and (wanted_locales is None or entry.get("locale") in (None, *wanted_locales))
        ]
        if kept:
            values[code] = kept
    return {**product, "values": values}
