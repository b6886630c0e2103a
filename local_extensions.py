"""Jinja filters that turn prompt answers into safe source literals, and record where a bake came from."""

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cookiecutter.config import BUILTIN_ABBREVIATIONS
from cookiecutter.repository import expand_abbreviations, is_repo_url
from jinja2 import Environment
from jinja2.ext import Extension

# This file sits at the template's root: the folder cookiecutter renders from, a git checkout when the
# template was cloned or is developed locally.
TEMPLATE_DIR = Path(__file__).resolve().parent


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
    """A single-quoted .env value that python-dotenv reads back unchanged, whatever it holds.

    Inside single quotes python-dotenv unescapes only \\\\ and \\', and keeps $NAME, # and spaces as they are.
    It expands ${NAME} in every value, quoted or not, and has no escape for it: each "${" is written as
    "${:-$}{", the expansion of a variable without a name (no .env line or environment entry has one) whose
    default is "$".
    """
    escaped = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return "'" + escaped.replace("${", "${:-$}{") + "'"


def template_commit(context: Mapping[str, Any]) -> str | None:
    """The commit the project is baked from: cruft names it when it re-bakes, else the checkout's HEAD."""
    if context.get("_commit"):
        return str(context["_commit"])
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "HEAD"],  # noqa: S607 (git from PATH, like cookiecutter)
            cwd=TEMPLATE_DIR,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:  # no git on this machine
        return None
    return head.stdout.strip() or None


def template_source(context: Mapping[str, Any]) -> str:
    """Where cruft clones the template from: the URL the bake named (gh: expanded), or this folder."""
    template = expand_abbreviations(str(context.get("_template", "")), BUILTIN_ABBREVIATIONS)
    return template if is_repo_url(template) else str(TEMPLATE_DIR)


def secret_answers(context: Mapping[str, Any]) -> dict[str, Any]:
    """The answers a project must not keep anywhere but .env (cookiecutter.json's _secret_answers)."""
    return {name: context[name] for name in context.get("_secret_answers", ())}


def cruft_state(context: Mapping[str, Any]) -> str:
    """The .cruft.json that lets `cruft update` bring the project up to a newer template.

    It keeps the answers, never the secret ones (cruft re-bakes with their defaults), and skips the files
    cruft must leave alone: .env holds the project's own keys, .cruft.json is rewritten by cruft itself.
    """
    secret = secret_answers(context)
    answers = {key: value for key, value in context.items() if not key.startswith("_") and key not in secret}
    source = template_source(context)
    commit = template_commit(context)
    state = {
        "template": source,
        "commit": commit,
        "checkout": None,
        "context": {"cookiecutter": {**answers, "_template": source, "_commit": commit}},
        "directory": None,
        "skip": [".cruft.json", ".env"],
    }
    # The layout cruft writes, so its own rewrite after an update changes only what changed.
    return json.dumps(state, ensure_ascii=False, indent=2, separators=(",", ": "))


class LiteralFilters(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["python_string"] = python_string
        environment.filters["toml_string"] = toml_string
        environment.filters["dotenv_string"] = dotenv_string


class UpdateFilters(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["template_commit"] = template_commit
        environment.filters["cruft_state"] = cruft_state
        environment.filters["secret_answers"] = secret_answers
