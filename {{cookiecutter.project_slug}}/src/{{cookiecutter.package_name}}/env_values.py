"""Settings from the environment and `.env`: the one set of parsers the App, the local PIM emulator and the
scripts share, so each variable means the same thing and fails with the same message everywhere.

Real environment variables win over `.env`, so a deployment never depends on a file left on disk; an empty
value counts as unset.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

DEFAULT_PORT = {{ cookiecutter.port }}  # the App's, chosen at bake time
DEFAULT_PIM_EMULATOR_PORT = 8081
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line naming the variable."""


def read_environment(dotenv_path: Path | str | None = ".env") -> dict[str, str]:
    """`.env` values overlaid by the real environment."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ)
    return values


def text(env: Mapping[str, str], name: str, default: str = "") -> str:
    """The value, stripped; `default` when unset or empty."""
    return (env.get(name) or "").strip() or default


def whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = text(env, name)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be a number from {low} to {high}, not {raw!r}")
    return int(raw)


def seconds(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = text(env, name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not low <= value <= high:
        raise SettingsError(f"{name} must be a number of seconds from {low:g} to {high:g}, not {raw!r}")
    return value


def one_of(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = text(env, name, default).upper()
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {text(env, name)!r}")
    return value


def port(env: Mapping[str, str], name: str = "PORT", default: int = DEFAULT_PORT) -> int:
    return whole_number(env, name, default, 1, 65535)


def flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = text(env, name).lower()
    if not raw:
        return default
    if raw in TRUE_WORDS or raw in FALSE_WORDS:
        return raw in TRUE_WORDS
    raise SettingsError(f"{name} must be 1/true/yes or 0/false/no, not {raw!r}")


def http_url(name: str, value: str) -> str:
    """An http(s) URL without trailing slash, or SettingsError naming the variable."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SettingsError(f"{name} must be an http:// or https:// URL, not {value!r}")
    return value.rstrip("/")


def is_local_url(url: str) -> bool:
    """Whether a URL points at this machine: development rules apply to an App served there."""
    return (urlsplit(url).hostname or "") in LOCAL_HOSTS


def app_url(env: Mapping[str, str]) -> str:
    """APP_URL as set, else http://localhost:PORT: it follows PORT unless set on purpose."""
    return http_url("APP_URL", text(env, "APP_URL") or f"http://localhost:{port(env)}")
