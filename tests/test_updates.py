"""A project baked from an older commit of the template updates to the current one with cruft, conflict-free.

The template is copied as it stands into a throwaway git repository with two commits: an older one (one
generated file missing, one extra, one line different) and the current one. A project is baked from the older
commit with cookiecutter, committed untouched, then `cruft update` brings it to the current commit.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import (
    ANSWERED_CLIENT_ID,
    ANSWERED_CLIENT_SECRET,
    TEMPLATE_DIR,
    project_files,
    write_cookiecutter_config,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="cruft needs git")

ANSWERS = {
    "project_name": "Acme Sync",
    "akeneo_client_id": ANSWERED_CLIENT_ID,
    "akeneo_client_secret": ANSWERED_CLIENT_SECRET,
}
GENERATED = Path("{{cookiecutter.project_slug}}")
# What the older commit differs by, inside the generated project's folder.
ADDED_SINCE = GENERATED / "Procfile.dev"
CHANGED_SINCE = GENERATED / ".gitignore"
REMOVED_SINCE = GENERATED / "OLDER_NOTES.md"
# The files cruft leaves to the project: its own keys, and the record cruft rewrites itself.
NOT_UPDATED = {".env", ".cruft.json"}
NOT_TEMPLATE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.py[cod]", ".pytest_cache", ".ruff_cache", "scratch", "test-artifacts"
)


@dataclass(frozen=True)
class Update:
    template: Path
    older_commit: str
    current_commit: str
    project: Path
    fresh: Path
    cruft_json_before: dict
    files_before: dict[str, bytes]
    env_before: bytes
    result: subprocess.CompletedProcess[str]


def run(command: list[str], cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=environment, capture_output=True, text=True, check=True)


def commit_all(repository: Path, message: str, environment: dict[str, str]) -> str:
    run(["git", "add", "--all"], repository, environment)
    run(["git", "commit", "--quiet", "--message", message], repository, environment)
    return run(["git", "rev-parse", "HEAD"], repository, environment).stdout.strip()


def bake(template: Path, output_dir: Path, environment: dict[str, str]) -> Path:
    """Bake as a user does, in a process of its own (this one has imported another local_extensions)."""
    answers = [f"{key}={value}" for key, value in ANSWERS.items()]
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output_dir), str(template)]
    run([*command, *answers], output_dir.parent, environment)
    [project] = output_dir.iterdir()
    return project


@pytest.fixture(scope="module")
def update(tmp_path_factory: pytest.TempPathFactory) -> Update:
    root = tmp_path_factory.mktemp("update")
    environment = {
        **os.environ,
        "COOKIECUTTER_CONFIG": str(write_cookiecutter_config(root)),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Template Tests",
        "GIT_AUTHOR_EMAIL": "tests@example.com",
        "GIT_COMMITTER_NAME": "Template Tests",
        "GIT_COMMITTER_EMAIL": "tests@example.com",
    }
    template = root / "template"
    shutil.copytree(TEMPLATE_DIR, template, ignore=NOT_TEMPLATE)
    run(["git", "init", "--quiet", "--initial-branch", "main"], template, environment)

    current_files = {path: (template / path).read_bytes() for path in (ADDED_SINCE, CHANGED_SINCE)}
    (template / ADDED_SINCE).unlink()
    (template / CHANGED_SINCE).write_bytes(current_files[CHANGED_SINCE] + b"# a line the template dropped\n")
    (template / REMOVED_SINCE).write_text("Notes the template no longer ships.\n")
    older_commit = commit_all(template, "older", environment)
    for path, content in current_files.items():
        (template / path).write_bytes(content)
    (template / REMOVED_SINCE).unlink()
    current_commit = commit_all(template, "current", environment)

    run(["git", "checkout", "--quiet", older_commit], template, environment)
    project = bake(template, root / "baked", environment)
    run(["git", "checkout", "--quiet", "main"], template, environment)
    run(["git", "init", "--quiet"], project, environment)
    commit_all(project, "Baked", environment)
    cruft_json_before = json.loads((project / ".cruft.json").read_text())
    files_before = updated_files(project)
    env_before = (project / ".env").read_bytes()

    result = subprocess.run(
        [sys.executable, "-m", "cruft", "update", "--skip-apply-ask"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    fresh = bake(template, root / "fresh", environment)
    return Update(
        template,
        older_commit,
        current_commit,
        project,
        fresh,
        cruft_json_before,
        files_before,
        env_before,
        result,
    )


def updated_files(project: Path) -> dict[str, bytes]:
    return {
        path.relative_to(project).as_posix(): path.read_bytes()
        for path in project_files(project)
        if path.relative_to(project).as_posix() not in NOT_UPDATED
    }


def test_a_bake_records_the_template_and_the_commit_it_came_from(update: Update):
    assert update.cruft_json_before["template"] == str(update.template.resolve())
    assert update.cruft_json_before["commit"] == update.older_commit


def test_the_recorded_answers_are_the_bakes_without_the_client_secret(update: Update):
    answers = update.cruft_json_before["context"]["cookiecutter"]

    assert answers["project_name"] == ANSWERS["project_name"]
    assert answers["akeneo_client_id"] == ANSWERS["akeneo_client_id"]
    assert "akeneo_client_secret" not in answers
    assert ANSWERED_CLIENT_SECRET not in (update.project / ".cruft.json").read_text()


def test_cruft_update_succeeds(update: Update):
    assert update.result.returncode == 0, update.result.stdout + update.result.stderr
    assert "has been updated" in update.result.stdout


def test_the_update_leaves_no_conflict(update: Update):
    rejected = sorted(update.project.rglob("*.rej"))
    marked = [path for path in project_files(update.project) if b"<<<<<<<" in path.read_bytes()]

    assert "conflict" not in (update.result.stdout + update.result.stderr).lower()
    assert (rejected, marked) == ([], [])


def test_the_older_bake_differs_from_a_bake_of_the_current_template(update: Update):
    older, current = update.files_before, updated_files(update.fresh)

    assert ADDED_SINCE.name not in older
    assert REMOVED_SINCE.name in older
    assert older[CHANGED_SINCE.name] != current[CHANGED_SINCE.name]


def test_the_updated_project_is_a_fresh_bake_of_the_current_template(update: Update):
    assert updated_files(update.project) == updated_files(update.fresh)


def test_the_update_keeps_the_projects_env(update: Update):
    assert (update.project / ".env").read_bytes() == update.env_before


def test_cruft_json_names_the_current_commit_after_the_update(update: Update):
    assert json.loads((update.project / ".cruft.json").read_text())["commit"] == update.current_commit
