"""Prune the files of unchosen options, write .env from .env.example with the answers and new secrets, clear
the secret answers from cookiecutter's replay file, and print the next steps.

Offline and idempotent (cruft re-runs it on every update): pruning a missing file is a no-op, an existing .env
is left untouched, so no key or credential is ever replaced behind the user's back, and a scrubbed replay file
has nothing left to scrub.
"""

import base64
import json
import os
import secrets
import shlex
import shutil
import sys
import uuid
from pathlib import Path

from cookiecutter.config import get_user_config
from cookiecutter.exceptions import CookiecutterException

PROJECT_SLUG = json.loads(r'''{{ cookiecutter.project_slug | tojson }}''')
PACKAGE = json.loads(r'''{{ cookiecutter.package_name | tojson }}''')
CLIENT_ID = json.loads(r'''{{ cookiecutter.akeneo_client_id | tojson }}''')
CLIENT_SECRET = json.loads(r'''{{ cookiecutter.akeneo_client_secret | tojson }}''')
# The same answers as .env literals that python-dotenv reads back unchanged ($, quotes, backslashes, # ...).
CLIENT_ID_LITERAL = json.loads(r'''{{ cookiecutter.akeneo_client_id | dotenv_string | tojson }}''')
CLIENT_SECRET_LITERAL = json.loads(r'''{{ cookiecutter.akeneo_client_secret | dotenv_string | tojson }}''')
SECRET_ANSWERS = json.loads(r'''{{ cookiecutter | secret_answers | tojson }}''')
DOCKER = json.loads(r'''{{ cookiecutter.docker | tojson }}''')
CI = json.loads(r'''{{ cookiecutter.ci | tojson }}''')
BACKGROUND_JOBS = json.loads(r'''{{ cookiecutter.background_jobs | tojson }}''')
# None when the template is not a git checkout: cruft could not find the commit to update from.
TEMPLATE_COMMIT = json.loads(r'''{{ cookiecutter | template_commit | tojson }}''')
# cruft names the commit it re-bakes in temporary folders to compute an update: no person is waiting there.
REBAKED_BY_CRUFT = json.loads(r'''{{ ("_commit" in cookiecutter) | tojson }}''')
# Without both answers, .env gets credentials that only the local PIM emulator accepts.
LOCAL_CREDENTIALS = not CLIENT_ID or not CLIENT_SECRET

# One table: the paths each option brings, removed when the option is off.
OPTIONAL_PATHS = {
    "docker": (DOCKER, ["Dockerfile", ".dockerignore", "compose.yaml"]),
    "ci": (CI, [".github"]),
    "background_jobs": (
        BACKGROUND_JOBS,
        [
            f"src/{PACKAGE}/jobs.py",
            f"src/{PACKAGE}/sync_requests.py",
            "tests/app/test_jobs.py",
            "tests/app/test_worker.py",
        ],
    ),
    "updates": (TEMPLATE_COMMIT is not None, [".cruft.json"]),
    # The web layer not chosen is rendered under an _unused_ name; the chosen one is `web`.
    "web_framework": (False, [f"src/{PACKAGE}/_unused_flask_web", f"src/{PACKAGE}/_unused_fastapi_web"]),
}

LOCAL_CREDENTIALS_NOTE = (
    "# Not answered at bake time: local credentials that the PIM emulator accepts. Replace them with the\n"
    "# client ID and secret from the PIM's Create an App form before connecting a real PIM.\n"
)


def env_literals() -> dict[str, str]:
    """The .env values to fill in: answers come quoted from the template, generated URL-safe tokens as is."""
    return {
        "AKENEO_CLIENT_ID": CLIENT_ID_LITERAL if CLIENT_ID else str(uuid.uuid4()),
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET_LITERAL if CLIENT_SECRET else secrets.token_urlsafe(48),
        "SECRET_KEY": secrets.token_urlsafe(48),
        # A Fernet key is 32 random bytes, url-safe base64.
        "TOKEN_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii"),
        # compose.yaml's database (PostgreSQL bakes only: the line exists in .env.example there).
        "POSTGRES_PASSWORD": secrets.token_urlsafe(24),
    }


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


def prune(project: Path) -> None:
    for chosen, paths in OPTIONAL_PATHS.values():
        if chosen:
            continue
        for name in paths:
            path = project / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def write_env(project: Path) -> None:
    """Write .env once, readable by its owner only."""
    env = project / ".env"
    if env.exists():
        return
    env.write_text(render_env((project / ".env.example").read_text(), env_literals(), LOCAL_CREDENTIALS))
    env.chmod(0o600)


def replay_dir() -> Path | None:
    """Where cookiecutter keeps the last answers: replay_dir of COOKIECUTTER_CONFIG or ~/.cookiecutterrc."""
    try:
        return Path(get_user_config()["replay_dir"])
    except CookiecutterException:  # no readable user config: cookiecutter was given another one
        return None


def scrub_replay_file(replay_file: Path, answers: dict[str, str]) -> bool:
    """Blank each of these answers where the replay file holds it; True when it held one."""
    try:
        replay = json.loads(replay_file.read_text())
    except (OSError, ValueError):
        return False
    found = False
    # "cookiecutter" holds the answers; "_cookiecutter" holds the --no-input overrides too.
    for section in (section for section in replay.values() if isinstance(section, dict)):
        for name, value in answers.items():
            if value and section.get(name) == value:
                section[name] = ""
                found = True
    if found:
        replay_file.write_text(json.dumps(replay, indent=2))
    return found


def scrub_replay(directory: Path | None, answers: dict[str, str]) -> list[str]:
    """Clear the answered secrets from every replay file that holds them, and say what was done."""
    answered = [name for name, value in answers.items() if value]
    if not answered:
        return []
    names = ", ".join(answered)
    replay_files = sorted(directory.glob("*.json")) if directory else []
    scrubbed = [path for path in replay_files if scrub_replay_file(path, answers)]
    if scrubbed:
        return [f"Removed {names} from cookiecutter's replay file {path}." for path in scrubbed]
    return [
        f"Cookiecutter keeps your answers in a replay file, {names} included, and it is not in "
        f"{directory or 'the replay_dir of your cookiecutter config'}: blank it there yourself."
    ]


def next_steps(project: Path, start: str | None, local_credentials: bool) -> list[str]:
    """What to type next, from the folder the user baked in (the shell's PWD) when the project is below it."""
    where = project
    if start and project.is_relative_to(start):
        where = project.relative_to(start)
    steps = [
        f"Baked {PROJECT_SLUG}. Next:",
        f"  cd {shlex.quote(str(where))}",
        "  make install",
        "  make dev       # the App and a local PIM emulator",
    ]
    if local_credentials:
        steps.append("Before connecting a real PIM, put its client ID and secret in .env.")
    return steps


def main() -> int:
    project = Path.cwd()
    prune(project)
    write_env(project)
    if REBAKED_BY_CRUFT:
        return 0
    for line in scrub_replay(replay_dir(), SECRET_ANSWERS):
        print(line)
    print("\n".join(next_steps(project, os.environ.get("PWD"), LOCAL_CREDENTIALS)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
