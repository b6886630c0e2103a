"""The `search` filter of the product lists, with the operators Apps use most, and the completeness it needs.

A search is `{"field": [{"operator": ..., "value": ..., "locale"?: ..., "scope"?: ...}, ...], ...}`; every
condition must hold. Unsupported fields or operators are refused with a 422, as the PIM does.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pim_emulator.php_types import gettype
from pim_emulator.structure import (
    ACTIVE_LOCALES,
    ATTRIBUTE_BY_CODE,
    CATEGORY_CODES,
    CHANNEL_BY_CODE,
    FAMILY_BY_CODE,
    family_body,
)

Product = dict[str, Any]
Predicate = Callable[[Product], bool]


class SearchError(ValueError):
    """Answered with the status and message the PIM uses."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str
    value: Any
    locale: str | None
    scope: str | None
    locales: Any = None  # the completeness operators "… ON ALL LOCALES" name their locales


def parse_search(
    raw: str | None, search_locale: str | None = None, search_scope: str | None = None
) -> Predicate:
    """A predicate over products for the `search` parameter (all products when absent)."""
    if raw is None:
        return lambda product: True
    try:
        criteria = json.loads(raw)
    except ValueError:
        criteria = None
    if not isinstance(criteria, dict):
        # The PIM's json_decode(..., true) gives an array for a JSON object or list; lists of conditions
        # without field names do not reach a filter, so any non-object answers like invalid JSON.
        raise SearchError(400, "Search query parameter should be valid JSON.")
    predicates = []
    for field, conditions in criteria.items():
        if not isinstance(conditions, list) or not all(isinstance(c, dict) for c in conditions):
            # Built by hand: the PIM's example has no space after its first colon, unlike json.dumps.
            example = '{"' + field + '":[{"operator": "my_operator", "value": "my_value"}]}'
            raise SearchError(422, f'Structure of filter "{field}" should respect this structure: {example}')
        for condition in conditions:
            if "operator" not in condition:
                raise SearchError(422, f'Operator is missing for the property "{field}".')
            if not isinstance(condition["operator"], str):
                kind = gettype(condition["operator"])
                raise SearchError(422, f'Operator has to be a string, "{kind}" given.')
            parsed = Condition(
                field=field,
                operator=str(condition["operator"]),
                value=condition.get("value"),
                locale=condition.get("locale", search_locale),
                scope=condition.get("scope", search_scope),
                locales=condition.get("locales"),
            )
            predicates.append(_predicate(parsed))
    return lambda product: all(predicate(product) for predicate in predicates)


def _unsupported(condition: Condition) -> SearchError:
    return SearchError(
        422,
        f'Filter on property "{condition.field}" is not supported or does not support operator '
        f'"{condition.operator}"',
    )


def _predicate(condition: Condition) -> Predicate:
    field = condition.field
    builders: dict[str, Callable[[Condition], Predicate]] = {
        "enabled": _enabled,
        "family": _family,
        "categories": _categories,
        "completeness": _completeness,
        "updated": _date_field("updated"),
        "created": _date_field("created"),
        "uuid": _key_in("uuid"),
        "identifier": _key_in("identifier"),
        "parent": _parent,
    }
    if field in builders:
        return builders[field](condition)
    if field in ATTRIBUTE_BY_CODE:
        return _attribute(condition)
    raise _unsupported(condition)


def _enabled(condition: Condition) -> Predicate:
    if condition.operator not in ("=", "!=") or not isinstance(condition.value, bool):
        raise _unsupported(condition)
    wanted = condition.value if condition.operator == "=" else not condition.value
    return lambda product: bool(product.get("enabled")) == wanted


def _codes(condition: Condition) -> list[str]:
    if not isinstance(condition.value, list):
        raise SearchError(
            422,
            f'Property "{condition.field}" expects an array as data, "{gettype(condition.value)}" given.',
        )
    return [str(code) for code in condition.value]


def _family(condition: Condition) -> Predicate:
    operator = condition.operator
    if operator == "EMPTY":
        return lambda product: not product.get("family")
    if operator == "NOT EMPTY":
        return lambda product: bool(product.get("family"))
    if operator not in ("IN", "NOT IN"):
        raise _unsupported(condition)
    codes = set(_codes(condition))
    inside = operator == "IN"
    return lambda product: (product.get("family") in codes) == inside


def _categories(condition: Condition) -> Predicate:
    operator = condition.operator
    if operator == "UNCLASSIFIED":
        return lambda product: not product.get("categories")
    codes = set(_codes(condition))
    unknown = sorted(codes - CATEGORY_CODES)
    if unknown:
        raise SearchError(422, f'Category "{unknown[0]}" does not exist.')
    if operator == "IN":
        return lambda product: bool(codes & set(product.get("categories", [])))
    if operator == "NOT IN":
        return lambda product: not codes & set(product.get("categories", []))
    if operator == "IN OR UNCLASSIFIED":
        return lambda product: not product.get("categories") or bool(codes & set(product["categories"]))
    raise _unsupported(condition)


def _key_in(key: str) -> Callable[[Condition], Predicate]:
    def build(condition: Condition) -> Predicate:
        if condition.operator not in ("IN", "NOT IN"):
            raise _unsupported(condition)
        values = {str(v).lower() if key == "uuid" else str(v) for v in _codes(condition)}
        inside = condition.operator == "IN"

        def matches(product: Product) -> bool:
            value = product.get(key, "")
            return ((value.lower() if key == "uuid" else value) in values) == inside

        return matches

    return build


def _parent(condition: Condition) -> Predicate:
    if condition.operator == "EMPTY":
        return lambda product: not product.get("parent")
    if condition.operator == "NOT EMPTY":
        return lambda product: bool(product.get("parent"))
    if condition.operator == "=":
        return lambda product: product.get("parent") == condition.value
    if condition.operator == "IN":
        codes = set(_codes(condition))
        return lambda product: product.get("parent") in codes
    raise _unsupported(condition)


# --- dates ---------------------------------------------------------------------------------------

_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def _parse_date(field: str, raw: Any) -> datetime:
    try:
        return datetime.strptime(str(raw), _DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SearchError(
            422,
            f'Property "{field}" expects a string with the format "yyyy-mm-dd H:i:s" as data, "{raw}" given.',
        ) from None


def _product_date(product: Product, field: str) -> datetime:
    return datetime.fromisoformat(product[field])


def _date_field(field: str) -> Callable[[Condition], Predicate]:
    def build(condition: Condition) -> Predicate:
        operator, value = condition.operator, condition.value
        if operator in (">", "<"):
            moment = _parse_date(field, value)
            later = operator == ">"
            return lambda product: (_product_date(product, field) > moment) == later
        if operator in ("=", "!="):
            # "during the given day", as the API reference describes = and != on dates.
            day = _parse_date(field, value).date()
            same = operator == "="
            return lambda product: (_product_date(product, field).date() == day) == same
        if operator in ("BETWEEN", "NOT BETWEEN"):
            if not isinstance(value, list) or len(value) != 2:
                raise SearchError(
                    422, f'Property "{field}" expects an array with 2 elements, "{value}" given.'
                )
            low, high = _parse_date(field, value[0]), _parse_date(field, value[1])
            inside = operator == "BETWEEN"
            return lambda product: (low <= _product_date(product, field) <= high) == inside
        if operator == "SINCE LAST N DAYS":
            if isinstance(value, bool) or not isinstance(value, int):
                raise SearchError(422, f'Property "{field}" expects an integer as data, "{value}" given.')
            since = datetime.now(UTC) - timedelta(days=value)
            return lambda product: _product_date(product, field) >= since
        raise _unsupported(condition)

    return build


# --- completeness --------------------------------------------------------------------------------


def completeness(product: Product, channel: str, locale: str) -> int:
    """Percentage of the family's required attributes filled for this channel and locale."""
    family = FAMILY_BY_CODE.get(product.get("family") or "")
    if family is None:
        return 0
    required = family_body(family)["attribute_requirements"].get(channel, [])
    if not required:
        return 100
    filled = sum(1 for code in required if _value_of(product, code, locale, channel) not in (None, "", []))
    return filled * 100 // len(required)


_COMPARE: dict[str, Callable[[int, float], bool]] = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}
_ALL_LOCALES = {
    "GREATER THAN ON ALL LOCALES": ">",
    "GREATER OR EQUALS THAN ON ALL LOCALES": ">=",
    "LOWER THAN ON ALL LOCALES": "<",
    "LOWER OR EQUALS THAN ON ALL LOCALES": "<=",
}


def _completeness(condition: Condition) -> Predicate:
    channel = condition.scope
    if channel is None:
        raise SearchError(422, 'Property "completeness" expects a valid scope.')
    if channel not in CHANNEL_BY_CODE:
        raise SearchError(422, f'Scope "{channel}" does not exist.')
    value = condition.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise SearchError(422, f'Property "completeness" expects a numeric as data, "{value}" given.')
    channel_locales: list[str] = CHANNEL_BY_CODE[channel]["locales"]
    if condition.operator in _COMPARE:
        # Without locales, the PIM's completeness filter looks at every locale of the channel and keeps a
        # product when one of them matches.
        compare = _COMPARE[condition.operator]
        return lambda product: any(
            compare(completeness(product, channel, loc), value) for loc in channel_locales
        )
    if condition.operator in _ALL_LOCALES:
        compare = _COMPARE[_ALL_LOCALES[condition.operator]]
        locales = condition.locales if isinstance(condition.locales, list) else None
        if not locales:
            raise SearchError(422, 'Property "completeness" expects an array with the key "locales".')
        return lambda product: all(compare(completeness(product, channel, loc), value) for loc in locales)
    raise _unsupported(condition)


# --- attribute values ----------------------------------------------------------------------------


def _value_of(product: Product, code: str, locale: str | None, scope: str | None) -> Any:
    attribute = ATTRIBUTE_BY_CODE.get(code)
    for value in product.get("values", {}).get(code, []):
        if attribute is not None:
            if attribute["localizable"] and value.get("locale") != locale:
                continue
            if attribute["scopable"] and value.get("scope") != scope:
                continue
        return value.get("data")
    return None


def _attribute(condition: Condition) -> Predicate:
    code = condition.field
    attribute = ATTRIBUTE_BY_CODE[code]
    locale = condition.locale if attribute["localizable"] else None
    scope = condition.scope if attribute["scopable"] else None
    if attribute["localizable"] and not isinstance(locale, str):
        raise SearchError(422, f'Attribute "{code}" expects a locale, none given.')
    if locale is not None and locale not in ACTIVE_LOCALES:
        raise SearchError(422, f'Locale "{locale}" does not exist or is not activated.')
    if attribute["scopable"] and not isinstance(scope, str):
        raise SearchError(422, f'Attribute "{code}" expects a scope, none given.')
    if scope is not None and scope not in CHANNEL_BY_CODE:
        raise SearchError(422, f'Attribute "{code}" expects an existing scope, "{scope}" given.')
    operator, wanted = condition.operator, condition.value

    def data(product: Product) -> Any:
        return _value_of(product, code, locale, scope)

    if operator == "EMPTY":
        return lambda product: data(product) in (None, "", [])
    if operator == "NOT EMPTY":
        return lambda product: data(product) not in (None, "", [])
    if operator in ("IN", "NOT IN"):
        values = set(_codes(condition))
        inside = operator == "IN"
        return lambda product: (_text(data(product)) in values) == inside
    if operator in ("=", "!="):
        equal = operator == "="
        return lambda product: (_text(data(product)) == _text(wanted)) == equal
    if operator in ("CONTAINS", "DOES NOT CONTAIN", "STARTS WITH"):
        needle = str(wanted).lower()
        checks: Mapping[str, Callable[[str], bool]] = {
            "CONTAINS": lambda text: needle in text,
            "DOES NOT CONTAIN": lambda text: needle not in text,
            "STARTS WITH": lambda text: text.startswith(needle),
        }
        check = checks[operator]
        return lambda product: check(_text(data(product)).lower())
    raise _unsupported(condition)


def _text(data: Any) -> str:
    if data is None:
        return ""
    if isinstance(data, bool):
        return "true" if data else "false"
    return str(data)
