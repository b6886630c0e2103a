"""Jinja filters that turn prompt answers into safe source literals, whatever characters they hold."""

from jinja2 import Environment
from jinja2.ext import Extension


def python_string(value: object) -> str:
    """An ASCII-only Python string literal, quoted the way ruff format quotes it.

    Non-ASCII characters become escapes, so the literal's width is its length (ruff counts East Asian
    characters double) and no look-alike character trips ruff's RUF001.
    """
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    escaped = text.replace("\\", "\\\\").replace(quote, "\\" + quote)
    body = "".join(
        char if char.isascii() and char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in escaped
    )
    return f"{quote}{body}{quote}"


def toml_string(value: object) -> str:
    """A TOML basic string: quotes, backslashes and every control character (DEL included) escaped."""
    out = []
    for char in str(value):
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def dotenv_string(value: object) -> str:
    """A double-quoted .env value: python-dotenv unescapes \\\\ and \\" inside double quotes."""
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


class LiteralFilters(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["python_string"] = python_string
        environment.filters["toml_string"] = toml_string
        environment.filters["dotenv_string"] = dotenv_string
