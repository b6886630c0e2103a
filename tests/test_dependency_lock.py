"""Tier (b): each bake's uv.lock matches its pyproject.toml; make install and the image install from it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import Bake

UV = str(Path(sys.executable).with_name("uv"))


def lock_of(baked: Bake) -> dict:
    return tomllib.loads((baked.project / "uv.lock").read_text())


def locked_version(baked: Bake, name: str) -> str:
    [package] = [package for package in lock_of(baked)["package"] if package["name"] == name]
    return package["version"]


def test_the_lock_is_up_to_date_with_pyproject_without_network(baked: Bake, tmp_path: Path):
    # An empty cache and no network: uv can only pass if the lock already holds every answer.
    result = subprocess.run(
        [UV, "lock", "--check", "--offline", "--cache-dir", str(tmp_path / "uv-cache")],
        cwd=baked.project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_the_lock_names_the_project_and_its_runtime_dependencies(baked: Bake):
    [project] = [package for package in lock_of(baked)["package"] if package["source"] == {"editable": "."}]
    assert project["name"] == baked.answers["project_slug"]
    runtime = {dependency["name"] for dependency in project["dependencies"]}
    assert ("psycopg" in runtime) == (baked.answers["database"] == "postgresql")


def test_every_locked_distribution_has_a_hash(baked: Bake):
    unhashed = [
        f"{package['name']} {package['version']}: {artifact['url']}"
        for package in lock_of(baked)["package"]
        for artifact in [*package.get("wheels", []), *filter(None, [package.get("sdist")])]
        if not str(artifact.get("hash", "")).startswith("sha256:")
    ]
    assert not unhashed


def test_the_development_tools_are_a_dependency_group_not_a_published_extra(baked: Bake):
    pyproject = tomllib.loads((baked.project / "pyproject.toml").read_text())
    assert "optional-dependencies" not in pyproject["project"]
    assert any(requirement.startswith("pytest") for requirement in pyproject["dependency-groups"]["dev"])


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_install_syncs_the_environment_from_the_lock(baked: Bake):
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "install"],
        cwd=baked.project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"\buv sync --locked\b", result.stdout), result.stdout


def test_make_install_and_the_image_bootstrap_the_locked_uv(baked: Bake):
    locked = locked_version(baked, "uv")
    makefile = re.search(r"^UV_VERSION := (\S+)$", (baked.project / "Makefile").read_text(), re.MULTILINE)
    assert makefile and makefile[1] == locked
    dockerfile = baked.project / "Dockerfile"
    if dockerfile.exists():
        assert re.findall(r"\buv==(\S+)", dockerfile.read_text()) == [locked]
