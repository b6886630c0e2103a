"""PHP's names for JSON value types, as the PIM's messages use them ('… as data, "string" given')."""

from typing import Any


def gettype(value: Any) -> str:
    """What PHP's gettype() says of the value json_decode() makes of this JSON value."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    return "array"  # JSON objects and lists are both PHP arrays
