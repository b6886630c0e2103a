"""`.env` for a fresh checkout: made from `.env.example`, with new keys where the example leaves them empty.

`make install` runs this, so a clone of the project (where `.env` is git-ignored) gets a strong SECRET_KEY and
TOKEN_ENCRYPTION_KEY at once instead of per-process random ones. An existing value is never replaced.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path

from .token_cipher import generate_key

LOCAL_CREDENTIALS_NOTE = (
    "# Not set yet: local credentials that the PIM emulator accepts. Replace them with the client ID and\n"
    "# secret from the PIM's Create an App form before connecting a real PIM.\n"
)
# What an empty value gets. The client ID and secret only when both are empty: then the emulator is the PIM.
GENERATED: dict[str, Callable[[], str]] = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(48),
    "TOKEN_ENCRYPTION_KEY": generate_key,
    "POSTGRES_PASSWORD": lambda: secrets.token_urlsafe(24),  # compose.yaml's database, when there is one
}
LOCAL_CREDENTIALS: dict[str, Callable[[], str]] = {
    "AKENEO_CLIENT_ID": lambda: str(uuid.uuid4()),
    "AKENEO_CLIENT_SECRET": lambda: secrets.token_urlsafe(48),
}


def fill_env(text: str) -> tuple[str, list[str]]:
    """The text with its empty generated values filled in, and the names filled."""
    lines = text.splitlines(keepends=True)
    empty = {line.split("=", 1)[0] for line in lines if "=" in line and not line.split("=", 1)[1].strip()}
    makers = dict(GENERATED)
    if set(LOCAL_CREDENTIALS) <= empty:
        makers |= LOCAL_CREDENTIALS
    filled: list[str] = []
    result: list[str] = []
    for line in lines:
        name = line.split("=", 1)[0]
        if name in makers and name in empty and name not in filled:
            if name == "AKENEO_CLIENT_ID":
                result.append(LOCAL_CREDENTIALS_NOTE)
            line = f"{name}={makers[name]()}\n"
            filled.append(name)
        result.append(line)
    return "".join(result), filled


def ensure_env_file(env: Path = Path(".env"), example: Path = Path(".env.example")) -> list[str]:
    """Create `env` from `example` if it is missing, else fill its empty keys; returns the names filled."""
    text = env.read_text() if env.exists() else example.read_text()
    new_text, filled = fill_env(text)
    if filled or not env.exists():
        # Written beside, then renamed: an interrupted run leaves the old file whole.
        partial = env.with_name(f"{env.name}.partial")
        partial.unlink(missing_ok=True)
        # Created readable by its owner only, before a single secret is written into it.
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(new_text)
        partial.replace(env)
    return filled
