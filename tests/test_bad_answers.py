"""Tier (a): every bad answer stops the bake with a message naming the field, and leaves no folder behind.

The pre-generation hook's checks judge every bad answer directly; a few kinds go through whole failed bakes.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pytest

from helpers import bake, render_hook


class BadAnswer(NamedTuple):
    id: str
    answers: dict[str, Any]
    field: str


BAD_ANSWERS = (
    BadAnswer("project_name-empty", {"project_name": ""}, "project_name"),
    BadAnswer("project_name-blank", {"project_name": "   ", "project_slug": "blank-name"}, "project_name"),
    BadAnswer("project_name-multi-line", {"project_name": "Acme\nSync"}, "project_name"),
    BadAnswer("project_name-tab", {"project_name": "Acme\tSync"}, "project_name"),
    BadAnswer("project_name-61-characters", {"project_name": "A" * 61}, "project_name"),
    BadAnswer("project_name-punctuation-only", {"project_name": "!!!"}, "project_name"),
    BadAnswer(
        "project_slug-uppercase", {"project_slug": "Acme-Sync", "package_name": "acme_sync"}, "project_slug"
    ),
    BadAnswer(
        "project_slug-space", {"project_slug": "acme sync", "package_name": "acme_sync"}, "project_slug"
    ),
    BadAnswer(
        "project_slug-leading-digit", {"project_slug": "1acme", "package_name": "acme"}, "project_slug"
    ),
    BadAnswer(
        "project_slug-double-dash",
        {"project_slug": "acme--sync", "package_name": "acme_sync"},
        "project_slug",
    ),
    BadAnswer("package_name-dash", {"package_name": "acme-sync"}, "package_name"),
    BadAnswer("package_name-uppercase", {"package_name": "AcmeSync"}, "package_name"),
    BadAnswer("package_name-leading-digit", {"package_name": "1acme"}, "package_name"),
    BadAnswer("package_name-keyword-class", {"package_name": "class"}, "package_name"),
    BadAnswer("package_name-stdlib-json", {"package_name": "json"}, "package_name"),
    BadAnswer("package_name-dependency-flask", {"package_name": "flask"}, "package_name"),
    BadAnswer("package_name-pim_emulator", {"package_name": "pim_emulator"}, "package_name"),
    BadAnswer("akeneo_client_id-not-a-uuid", {"akeneo_client_id": "my-client"}, "akeneo_client_id"),
    BadAnswer(
        "akeneo_client_secret-with-space", {"akeneo_client_secret": "two words"}, "akeneo_client_secret"
    ),
    BadAnswer("akeneo_scopes-unknown", {"akeneo_scopes": "read_products read_prodcts"}, "akeneo_scopes"),
    BadAnswer("akeneo_scopes-duplicate", {"akeneo_scopes": "read_products read_products"}, "akeneo_scopes"),
    BadAnswer("akeneo_scopes-empty", {"akeneo_scopes": ""}, "akeneo_scopes"),
    BadAnswer("akeneo_scopes-blank", {"akeneo_scopes": "  "}, "akeneo_scopes"),
    BadAnswer("web_framework-not-offered", {"web_framework": "django"}, "web_framework"),
    BadAnswer("database-not-offered", {"database": "mysql"}, "database"),
    BadAnswer("docker-not-yes-or-no", {"docker": "maybe"}, "docker"),
    BadAnswer("ci-not-yes-or-no", {"ci": "sometimes"}, "ci"),
    BadAnswer("background_jobs-not-yes-or-no", {"background_jobs": "later"}, "background_jobs"),
    BadAnswer("port-non-numeric", {"port": "http"}, "port"),
    BadAnswer("port-1023", {"port": "1023"}, "port"),
    BadAnswer("port-65536", {"port": "65536"}, "port"),
    BadAnswer("port-8081-is-the-emulator", {"port": "8081"}, "port"),
    BadAnswer("port-leading-zero", {"port": "08000"}, "port"),
    BadAnswer("port-fullwidth-digits", {"port": "\uff18\uff10\uff10\uff10"}, "port"),
    BadAnswer("port-superscript-digit", {"port": "8000²"}, "port"),
)


# One of each kind for the whole failed bakes: free text, a derived name, a scope, a choice that cookiecutter
# itself refuses, a yes/no answer, a number.
BAKED_BAD_ANSWERS = tuple(
    {bad.id: bad for bad in BAD_ANSWERS}[bad_id]
    for bad_id in (
        "project_name-multi-line",
        "package_name-keyword-class",
        "akeneo_scopes-unknown",
        "web_framework-not-offered",
        "docker-not-yes-or-no",
        "port-8081-is-the-emulator",
    )
)


@pytest.fixture(scope="module")
def pre_gen_hook(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The hook rendered for the default answers; a test hands its problems() the answers to judge."""
    return render_hook("pre_gen_project.py", {}, tmp_path_factory.mktemp("pre-gen-hook"))


def fields_named(problems: list[str]) -> list[str]:
    """The field of each "ERROR: <field>: <what is allowed>" line."""
    return [line.split(":")[1].strip() for line in problems]


@pytest.mark.parametrize("bad", BAD_ANSWERS, ids=lambda bad: bad.id)
def test_the_hook_names_the_field_of_a_bad_answer(pre_gen_hook: ModuleType, bad: BadAnswer):
    problems = pre_gen_hook.problems({**pre_gen_hook.ANSWERS, **bad.answers})

    assert fields_named(problems) == [bad.field], problems


def test_every_field_the_hook_checks_has_a_bad_answer(pre_gen_hook: ModuleType):
    assert {bad.field for bad in BAD_ANSWERS} == set(pre_gen_hook.CHECKS)


def leftovers(tmp_path: Path) -> list[Path]:
    """Anything under pytest-cookies' output folders (tmp_path/cookies/bakeNN/) once the bake has failed."""
    return sorted((tmp_path / "cookies").glob("*/*"))


@pytest.mark.parametrize("bad", BAKED_BAD_ANSWERS, ids=lambda bad: bad.id)
def test_a_bad_answer_fails_the_bake(cookies, bad: BadAnswer):
    result = bake(cookies, **bad.answers)

    assert result.exit_code != 0
    assert result.exception is not None


@pytest.mark.parametrize("bad", BAKED_BAD_ANSWERS, ids=lambda bad: bad.id)
def test_the_error_names_the_field(cookies, capfd: pytest.CaptureFixture[str], bad: BadAnswer):
    result = bake(cookies, **bad.answers)

    # The pre-gen hook prints "ERROR: <field>: ..." on stderr; cookiecutter itself refuses a value that is not
    # among a choice option's choices, with the option's name in the exception.
    message = capfd.readouterr().err + str(result.exception)
    assert bad.field in message, message


@pytest.mark.parametrize("bad", BAKED_BAD_ANSWERS, ids=lambda bad: bad.id)
def test_a_failed_bake_leaves_no_project_folder(cookies, tmp_path: Path, bad: BadAnswer):
    bake(cookies, **bad.answers)

    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("bad", BAKED_BAD_ANSWERS, ids=lambda bad: bad.id)
def test_the_error_is_a_message_not_a_traceback(cookies, capfd: pytest.CaptureFixture[str], bad: BadAnswer):
    bake(cookies, **bad.answers)

    assert "Traceback" not in capfd.readouterr().err


def test_several_bad_answers_are_reported_together(cookies, capfd: pytest.CaptureFixture[str]):
    result = bake(cookies, project_name="", akeneo_scopes="read_prodcts", port="80")

    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR: ")]
    assert result.exit_code != 0
    assert fields_named(errors) == ["project_name", "akeneo_scopes", "port"]


def test_a_misspelled_scope_fails_the_bake_with_a_suggestion(cookies, capfd: pytest.CaptureFixture[str]):
    bake(cookies, akeneo_scopes="read_products read_catalog_structre")

    assert "did you mean read_catalog_structure?" in capfd.readouterr().err
