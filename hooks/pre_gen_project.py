"""Validate the answers before anything is written.

Every bad answer prints one line naming the field and what is allowed, all at once, then the hook exits 1;
cookiecutter then removes the half-made project folder. Only validates: never writes, so cruft can re-run it
safely.
"""

import difflib
import json
import keyword
import re
import sys
from collections.abc import Callable
from typing import Any

ANSWERS = {
    "project_name": json.loads(r'''{{ cookiecutter.project_name | tojson }}'''),
    "project_slug": json.loads(r'''{{ cookiecutter.project_slug | tojson }}'''),
    "package_name": json.loads(r'''{{ cookiecutter.package_name | tojson }}'''),
    "akeneo_client_id": json.loads(r'''{{ cookiecutter.akeneo_client_id | tojson }}'''),
    "akeneo_client_secret": json.loads(r'''{{ cookiecutter.akeneo_client_secret | tojson }}'''),
    "akeneo_scopes": json.loads(r'''{{ cookiecutter.akeneo_scopes | tojson }}'''),
    "web_framework": json.loads(r'''{{ cookiecutter.web_framework | tojson }}'''),
    "database": json.loads(r'''{{ cookiecutter.database | tojson }}'''),
    "docker": json.loads(r'''{{ cookiecutter.docker | tojson }}'''),
    "ci": json.loads(r'''{{ cookiecutter.ci | tojson }}'''),
    "background_jobs": json.loads(r'''{{ cookiecutter.background_jobs | tojson }}'''),
    "port": json.loads(r'''{{ cookiecutter.port | tojson }}'''),
}
KNOWN_SCOPES = json.loads(r'''{{ cookiecutter._known_scopes | tojson }}''')
WEB_FRAMEWORKS = ("flask", "fastapi")
DATABASES = ("sqlite", "postgresql")
EMULATOR_PORT = 8081
MAX_SCOPE_LENGTH = 1000  # the PIM's limit on the raw scope string

SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE = re.compile(r"^[a-z][a-z0-9_]*$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# Printable ASCII without spaces, as the PIM generates them: a space or a newline is a slip of the paste.
SECRET = re.compile(r"^[\x21-\x7e]*$")
# Names the generated project imports or ships beside the App: a package called so would shadow them.
TAKEN_NAMES = {
    "pim_emulator", "scripts", "tests", "flask", "werkzeug", "jinja2", "sqlalchemy", "requests",
    "urllib3", "dotenv", "jwt", "cryptography", "playwright", "pytest", "ruff", "gunicorn", "psycopg",
    "fastapi", "starlette", "uvicorn", "uvicorn_worker", "multipart", "idna",
}


def check_project_name(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    if not value.isprintable():
        return "must be one line of printable characters (no newline or tab)"
    if not any(char.isalnum() for char in value):
        return "must contain at least one letter or digit"
    if len(value) > 60:
        return "must be at most 60 characters"
    return None


def check_project_slug(value: str) -> str | None:
    if not SLUG.match(value) or len(value) > 40:
        return (
            f"{value!r} is not a valid folder name: use lowercase letters, digits and single dashes, "
            "starting with a letter, at most 40 characters"
        )
    return None


def check_package_name(value: str) -> str | None:
    if not PACKAGE.match(value) or not value.isidentifier() or keyword.iskeyword(value) or len(value) > 40:
        return (
            f"{value!r} is not a valid Python package name: use lowercase letters, digits and underscores, "
            "starting with a letter, at most 40 characters"
        )
    if value in TAKEN_NAMES or value in sys.stdlib_module_names:
        return f"{value!r} would shadow a module the App needs; choose another name"
    return None


def check_client_id(value: str) -> str | None:
    if value and not UUID.match(value):
        return f"{value!r} is not a UUID; leave it empty or paste the PIM's client ID (Create an App form)"
    return None


def check_client_secret(value: str) -> str | None:
    if not SECRET.match(value) or len(value) > 255:
        return "must be printable characters without spaces, at most 255; leave it empty to fill .env later"
    return None


def check_scopes(value: str) -> str | None:
    scopes = value.split()
    if not scopes:
        return f"must name at least one scope, from: {' '.join(KNOWN_SCOPES)}"
    unknown = [scope for scope in scopes if scope not in KNOWN_SCOPES]
    if unknown:
        named = ", ".join(with_suggestion(scope) for scope in unknown)
        return f"unknown scope(s) {named}; allowed: {' '.join(KNOWN_SCOPES)}"
    duplicated = sorted({scope for scope in scopes if scopes.count(scope) > 1})
    if duplicated:
        return f"scope(s) listed twice: {' '.join(duplicated)}"
    if len(" ".join(scopes)) > MAX_SCOPE_LENGTH:
        return f"the scope string must be at most {MAX_SCOPE_LENGTH} characters (the PIM's limit)"
    return None


def with_suggestion(scope: str) -> str:
    """The unknown scope, with the known one it is closest to when it looks like a typo."""
    closest = difflib.get_close_matches(scope, KNOWN_SCOPES, n=1)
    return f"{scope} (did you mean {closest[0]}?)" if closest else scope


def one_of(choices: tuple[str, ...]) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        if value not in choices:
            return f"{value!r} is not offered; choose one of: {', '.join(choices)}"
        return None

    return check


def check_boolean(value: object) -> str | None:
    if not isinstance(value, bool):
        return f"{value!r} is not a yes/no answer; use true or false"
    return None


def check_port(value: str) -> str | None:
    if not re.fullmatch(r"[1-9][0-9]*", str(value)) or not 1024 <= int(value) <= 65535:
        return f"{value!r} is not a port number from 1024 to 65535"
    if int(value) == EMULATOR_PORT:
        return f"{EMULATOR_PORT} is the local PIM emulator's port; choose another"
    return None


CHECKS = {
    "project_name": check_project_name,
    "project_slug": check_project_slug,
    "package_name": check_package_name,
    "akeneo_client_id": check_client_id,
    "akeneo_client_secret": check_client_secret,
    "akeneo_scopes": check_scopes,
    "web_framework": one_of(WEB_FRAMEWORKS),
    "database": one_of(DATABASES),
    "port": check_port,
    "docker": check_boolean,
    "ci": check_boolean,
    "background_jobs": check_boolean,
}


def problems(answers: dict[str, Any]) -> list[str]:
    """One line per bad answer, in the order the questions are asked."""
    found = []
    for field, check in CHECKS.items():
        problem = check(answers[field])
        if problem:
            found.append(f"ERROR: {field}: {problem}")
    return found


def main() -> int:
    found = problems(ANSWERS)
    for line in found:
        print(line, file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
