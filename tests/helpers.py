"""What the template's tests share: the option matrix, guarded bakes, ways to look inside a baked project."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config
from cookiecutter.utils import create_env_with_context

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
TEMPLATE_PROJECT_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
COOKIECUTTER_JSON: dict[str, Any] = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())

# The questions a user answers; keys starting with "_" are the template's own settings.
OPTIONS: dict[str, Any] = {key: value for key, value in COOKIECUTTER_JSON.items() if not key.startswith("_")}
CHOICE_OPTIONS: dict[str, list[Any]] = {
    key: value for key, value in OPTIONS.items() if isinstance(value, list)
}
BOOLEAN_OPTIONS: dict[str, bool] = {key: value for key, value in OPTIONS.items() if isinstance(value, bool)}

# Sample answers. The secret is distinctive so a leak is easy to find anywhere in a baked project.
ANSWERED_CLIENT_ID = "3f2b8c1e-7d4a-4e5b-9c6d-0a1b2c3d4e5f"
ANSWERED_CLIENT_SECRET = "answered-Secret_9xQ2vL7pW4mK8nR3tY6z"
MIN_SECRET_LENGTH = 32

# The verbs every generated project's Makefile offers (DESIGN.md, "The contract other tools rely on").
MAKE_CONTRACT_TARGETS = ("help", "install", "dev", "run", "pim", "tunnel", "test", "lint")


@dataclass(frozen=True)
class Variant:
    """One row of a bake table: a readable id and the answers that differ from cookiecutter.json."""

    id: str
    answers: Mapping[str, Any] = field(default_factory=dict)


# Tier (a)/(b) matrix. Every value of every choice or boolean option must appear at least once
# (test_the_matrix_covers_every_option_value checks it). A new option is one more key in a row, or one more
# row, e.g. Variant("postgresql-no-docker", {"database": "postgresql", "docker": False}).
MATRIX = (
    Variant("defaults"),
    Variant(
        "flask-custom-name-port-9000",
        {"web_framework": "flask", "project_name": "Acme Product Sync", "port": "9000"},
    ),
    Variant(
        "answered-credentials",
        {"akeneo_client_id": ANSWERED_CLIENT_ID, "akeneo_client_secret": ANSWERED_CLIENT_SECRET},
    ),
    Variant("client-id-without-secret", {"akeneo_client_id": ANSWERED_CLIENT_ID}),
    Variant(
        "write-and-openid-scopes", {"akeneo_scopes": "read_products write_products openid profile email"}
    ),
    Variant("single-scope-port-65535", {"akeneo_scopes": "read_products", "port": "65535"}),
    Variant(
        "custom-slug-and-package",
        {"project_name": "Acme PIM Connector", "project_slug": "acme-connector", "package_name": "acme_app"},
    ),
    Variant("postgresql", {"database": "postgresql"}),
    Variant("fastapi", {"web_framework": "fastapi"}),
    Variant(
        "fastapi-postgresql-without-ci", {"web_framework": "fastapi", "database": "postgresql", "ci": False}
    ),
    Variant("fastapi-no-docker-no-ci", {"web_framework": "fastapi", "docker": False, "ci": False}),
    Variant("no-docker-no-ci", {"docker": False, "ci": False}),
    Variant("postgresql-docker-without-ci", {"database": "postgresql", "ci": False}),
    Variant("ci-without-docker", {"docker": False}),
    Variant("no-background-jobs", {"background_jobs": False}),
    Variant(
        "fastapi-postgresql-no-background-jobs-no-docker",
        {"web_framework": "fastapi", "database": "postgresql", "background_jobs": False, "docker": False},
    ),
)

# Free text that must come out as valid Python and TOML literals, whatever it holds.
HOSTILE_TEXT = 'He said "hi" \\ it\'s \'\'\'triple\'\'\' and """double""" {braces} café ✓\nsecond line'
HOSTILE = (
    Variant("name-quotes-apostrophe-backslash", {"project_name": 'Bob\'s "Best" \\ App'}),
    Variant("name-more-double-quotes", {"project_name": 'The "PIM" "Sync" App\'s'}),
    Variant("name-trailing-backslash", {"project_name": "Sync C:\\"}),
    Variant("name-dollar-and-braces", {"project_name": "Save $5 with {now}"}),
    # python-dotenv expands ${NAME} even inside quotes: the .env files must still hold the name as typed.
    Variant("name-dotenv-variable", {"project_name": "Save ${PROMO} and ${HOME:-x} now"}),
    Variant("name-non-ascii", {"project_name": "Café Größe Ærø \u2013 Produktsync ✓"}),
    Variant("name-57-backslashes", {"project_name": "\\" * 57 + "App", "project_slug": "backslash-app"}),
    # 48 backslashes: the App name literal no longer fits on one line, but fits wrapped in parentheses.
    Variant("name-literal-wrapped", {"project_name": "\\" * 48 + "App", "project_slug": "wrapped-app"}),
    Variant("longest-slug", {"project_slug": "a-project-slug-of-the-longest-length-xyz"}),
    Variant(
        "name-literal-just-under-line-length",
        {"project_name": "\\" * 45 + "abcde", "project_slug": "near-limit-app"},
    ),
    Variant("name-wide-characters", {"project_name": "日本語" * 17, "project_slug": "wide-app"}),
    Variant(
        "description-and-author-hostile",
        {"description": HOSTILE_TEXT, "author": "O'Brien \"Bob\" \\ Ünïcode {x} '''\n"},
    ),
    Variant("description-control-characters", {"description": "tab\there, bell\x07, delete\x7f, escape\x1b"}),
)


def rows_with(option: str) -> list[Variant]:
    """The matrix rows whose bake says yes to a yes/no option."""
    return [variant for variant in MATRIX if variant.answers.get(option, OPTIONS[option])]


def check_overrides(answers: Mapping[str, Any]) -> None:
    """Cookiecutter silently ignores unknown keys: a typo would bake the defaults and prove nothing."""
    unknown = sorted(set(answers) - set(OPTIONS))
    assert not unknown, f"not options in cookiecutter.json: {unknown}; options are {sorted(OPTIONS)}"


def bake(cookies: Any, **answers: Any) -> Any:
    """Bake with pytest-cookies after checking every answer names a real option."""
    check_overrides(answers)
    return cookies.bake(extra_context=answers)


def rendered_context(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers cookiecutter ends up with (derived names included), as the hooks see them."""
    check_overrides(answers)
    context = generate_context(
        context_file=str(TEMPLATE_DIR / "cookiecutter.json"), extra_context=dict(answers)
    )
    return prompt_for_config(context, no_input=True)


def render_hook(name: str, answers: Mapping[str, Any], directory: Path, **private: Any) -> ModuleType:
    """A hook as cookiecutter runs it: rendered with the template's Jinja environment for these answers, then
    loaded as a module whose functions a test calls (its main() does not run on import).

    `private` sets the keys cookiecutter or cruft add to the context (_template, _repo_dir, _commit...).
    """
    context = {
        "cookiecutter": {
            **rendered_context(answers),
            "_template": str(TEMPLATE_DIR),
            "_repo_dir": str(TEMPLATE_DIR),
            "_checkout": None,
            **private,
        }
    }
    template = create_env_with_context(context).from_string((TEMPLATE_DIR / "hooks" / name).read_text())
    script = directory / name
    script.write_text(template.render(**context))
    spec = importlib.util.spec_from_file_location(script.stem, script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bake_into(output_dir: Path, config_file: Path, *, overwrite: bool = False, **answers: Any) -> Path:
    """Bake with cookiecutter's API (for bakes shared across tests, or two bakes into one folder)."""
    check_overrides(answers)
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context=dict(answers),
            output_dir=str(output_dir),
            config_file=str(config_file),
            overwrite_if_exists=overwrite,
        )
    )


def write_cookiecutter_config(directory: Path) -> Path:
    """A user config that keeps cookiecutter's replay files and clones out of the real home directory."""
    config_file = directory / "cookiecutter-config.yaml"
    config = {
        "cookiecutters_dir": str(directory / "cookiecutters"),
        "replay_dir": str(directory / "replay"),
    }
    config_file.write_text(yaml.safe_dump(config))
    return config_file


@dataclass
class Bake:
    """A shared bake: either a project folder or the error that stopped it."""

    variant: Variant
    context: dict[str, Any] | None = None
    path: Path | None = None
    error: BaseException | None = None

    @property
    def project(self) -> Path:
        """The baked folder; a test that needs it fails with the bake's own error when there is none."""
        if self.path is None:
            raise AssertionError(f"bake {self.variant.id!r} failed: {self.error!r}")
        return self.path

    @property
    def answers(self) -> dict[str, Any]:
        assert self.context is not None, f"bake {self.variant.id!r} has no context: {self.error!r}"
        return self.context

    @property
    def package_dir(self) -> Path:
        return self.project / "src" / self.answers["package_name"]


class Bakery:
    """Bakes each variant once per session, on first use."""

    def __init__(self, root: Path, config_file: Path) -> None:
        self._root = root
        self._config_file = config_file
        self._bakes: dict[str, Bake] = {}

    def get(self, variant: Variant) -> Bake:
        if variant.id not in self._bakes:
            self._bakes[variant.id] = self._bake(variant)
        return self._bakes[variant.id]

    def _bake(self, variant: Variant) -> Bake:
        result = Bake(variant)
        output_dir = self._root / variant.id
        output_dir.mkdir()
        try:
            result.context = rendered_context(variant.answers)
            result.path = bake_into(output_dir, self._config_file, **variant.answers)
        except (Exception, SystemExit) as error:
            result.error = error
        return result


# -- looking inside a baked project -------------------------------------------------------------------------

SKIPPED_DIRS = {".git", ".venv"}


def project_files(project: Path) -> Iterator[Path]:
    """Every file the bake wrote (and nothing a test or tool added later: .git, .venv)."""
    for path in sorted(project.rglob("*")):
        relative = path.relative_to(project)
        if path.is_file() and not SKIPPED_DIRS.intersection(relative.parts):
            yield path


def read_text_or_none(path: Path) -> str | None:
    """The file's text, or None for a binary file."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def text_files(project: Path) -> Iterator[tuple[Path, str]]:
    for path in project_files(project):
        text = read_text_or_none(path)
        if text is not None:
            yield path, text


def copied_without_render(project: Path, path: Path) -> bool:
    """Whether cookiecutter copies this file as is (the App's own Jinja templates, static files)."""
    relative = path.relative_to(project).as_posix()
    return any(fnmatch(relative, pattern) for pattern in COOKIECUTTER_JSON.get("_copy_without_render", []))


def read_env(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a dotenv file, comments and blank lines skipped."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value
    return values


def makefile_help(makefile: Path) -> dict[str, str]:
    """Target name -> its `## ` one-line help, for targets that have one."""
    pattern = re.compile(r"^([A-Za-z][\w-]*):[^=\n]*?##\s+(\S.*)$", re.MULTILINE)
    return {match[1]: match[2] for match in pattern.finditer(makefile.read_text())}


def ruff(*args: str) -> list[str]:
    """The ruff of the template's own virtual environment."""
    return [sys.executable, "-m", "ruff", *args]


# Files every baked project has: (path pattern relative to the project, when the answers call for it).
# A pattern may use {package}; glob patterns must match at least one file.
Condition = Callable[[Mapping[str, Any]], bool]


def always(_answers: Mapping[str, Any]) -> bool:
    return True


def framework(name: str) -> Condition:
    """For the files of one web layer."""

    def chosen(answers: Mapping[str, Any]) -> bool:
        return answers["web_framework"] == name

    return chosen


def when(option: str) -> Condition:
    """For the files a yes/no option brings."""

    def chosen(answers: Mapping[str, Any]) -> bool:
        return answers[option] is True

    return chosen


EXPECTED_PATHS: tuple[tuple[str, Condition], ...] = (
    (".env", always),
    (".env.example", always),
    (".gitignore", always),
    ("Makefile", always),
    ("Procfile.dev", always),
    ("pyproject.toml", always),
    ("uv.lock", always),
    ("src/{package}/__init__.py", always),
    ("src/{package}/templates/*.html", always),
    ("src/{package}/static/style.css", always),
    ("src/{package}/web/__init__.py", always),
    ("src/{package}/web/wsgi.py", framework("flask")),
    ("src/{package}/web/asgi.py", framework("fastapi")),
    ("src/{package}/_unused_*", lambda _answers: False),
    ("pim_emulator/__init__.py", always),
    ("pim_emulator/__main__.py", always),
    ("scripts/tunnel.py", always),
    ("scripts/dev.py", always),
    ("tests/*", always),
    ("src/{package}/product_sync.py", always),
    ("src/{package}/sync_store.py", always),
    ("src/{package}/jobs.py", when("background_jobs")),
    ("src/{package}/sync_requests.py", when("background_jobs")),
    ("tests/app/test_sync.py", always),
    ("tests/app/test_worker.py", when("background_jobs")),
    ("tests/app/test_jobs.py", when("background_jobs")),
    ("Dockerfile", when("docker")),
    (".dockerignore", when("docker")),
    ("compose.yaml", when("docker")),
    (".github/workflows/*.yml", when("ci")),
    (".github/dependabot.yml", when("ci")),
    *((("README.md", always),) if (TEMPLATE_PROJECT_DIR / "README.md").exists() else ()),
)
