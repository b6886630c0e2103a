"""A logging filter that drops query strings: /callback's holds a single-use code and the state."""

from __future__ import annotations

import logging


def _without_query(value: object) -> object:
    if isinstance(value, str) and value.startswith("/") and "?" in value:
        return value.split("?", 1)[0] + "?…"
    return value


class QueryStringFilter(logging.Filter):
    """For servers that log a request's URI (gunicorn does on an error): keep its path only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_without_query(arg) for arg in record.args)
        return True
