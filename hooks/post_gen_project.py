"""Prune the files of unchosen options, then write .env from .env.example with the answers and new secrets.

Offline and idempotent (cruft re-runs it on every update): pruning a missing file is a no-op, and an existing
.env is left untouched, so no key or credential is ever replaced behind the user's back.
"""

import base64
import json
import secrets
import shutil
import sys
import uuid
from pathlib import Path

CLIENT_ID = json.loads(r'''{{ cookiecutter.akeneo_client_id | tojson }}''')
CLIENT_SECRET = json.loads(r'''{{ cookiecutter.akeneo_client_secret | tojson }}''')
DOCKER = json.loads(r'''{{ cookiecutter.docker | tojson }}''')
CI = json.loads(r'''{{ cookiecutter.ci | tojson }}''')

# One table: the paths each option brings, removed when the option is off.
OPTIONAL_PATHS = {
    "docker": (DOCKER, ["Dockerfile", ".dockerignore", "compose.yaml"]),
    "ci": (CI, [".github"]),
}

LOCAL_CREDENTIALS_NOTE = (
    "# Not answered at bake time: local credentials that the PIM emulator accepts. Replace them with the\n"
    "# client ID and secret from the PIM's Create an App form before connecting a real PIM.\n"
)


def env_values() -> tuple[dict[str, str], bool]:
    """The values to fill in, and whether the Akeneo credentials were made up for the emulator."""
    local = not CLIENT_ID or not CLIENT_SECRET
    values = {
        "AKENEO_CLIENT_ID": CLIENT_ID or str(uuid.uuid4()),
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET or secrets.token_urlsafe(48),
        "SECRET_KEY": secrets.token_urlsafe(48),
        # A Fernet key is 32 random bytes, url-safe base64.
        "TOKEN_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
    }
    return values, local


def render_env(example: str, values: dict[str, str], local_credentials: bool) -> str:
    lines = []
    for line in example.splitlines(keepends=True):
        key = line.split("=", 1)[0]
        if key in values and "=" in line:
            if key == "AKENEO_CLIENT_ID" and local_credentials:
                lines.append(LOCAL_CREDENTIALS_NOTE)
            line = f"{key}={values[key]}\n"
        lines.append(line)
    return "".join(lines)


def prune() -> None:
    for chosen, paths in OPTIONAL_PATHS.values():
        if chosen:
            continue
        for name in paths:
            path = Path(name)
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def main() -> int:
    prune()
    env = Path(".env")
    if env.exists():
        return 0
    values, local = env_values()
    env.write_text(render_env(Path(".env.example").read_text(), values, local))
    env.chmod(0o600)
    return 0


if __name__ == "__main__":
    sys.exit(main())
