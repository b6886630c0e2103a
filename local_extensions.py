"""Jinja filters that turn prompt answers into safe source literals, whatever characters they hold."""

import json

from jinja2.ext import Extension


def python_string(value: object) -> str:
    """A Python string literal, quoted the way ruff format would quote it, so a bake stays format-clean."""
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    body = "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in escaped
    )
    return f"{quote}{body}{quote}"


def toml_string(value: object) -> str:
    """A TOML basic string: JSON's escapes are a subset of TOML's."""
    return json.dumps(str(value), ensure_ascii=False)


def dotenv_string(value: object) -> str:
    """A double-quoted .env value: python-dotenv unescapes \\\\ and \\" inside double quotes."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class LiteralFilters(Extension):
    def __init__(self, environment):  # noqa: ANN001 - Jinja's signature
        super().__init__(environment)
        environment.filters["python_string"] = python_string
        environment.filters["toml_string"] = toml_string
        environment.filters["dotenv_string"] = dotenv_string
