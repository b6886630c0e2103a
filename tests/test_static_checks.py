"""Tier (b): each baked project passes its own lint config, and its TOML, YAML and Makefile hold together."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from helpers import MAKE_CONTRACT_TARGETS, Bake, makefile_help, project_files, ruff


def run_in(project: Path, command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)


def pyproject_of(baked: Bake) -> dict:
    return tomllib.loads((baked.project / "pyproject.toml").read_text())


def test_ruff_check_passes(any_baked: Bake):
    result = run_in(any_baked.project, ruff("check", "--no-cache", "--output-format=concise", "."))
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_check_passes(any_baked: Bake):
    result = run_in(any_baked.project, ruff("format", "--no-cache", "--check", "--diff", "."))
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_toml_file_parses(baked: Bake):
    for path in project_files(baked.project):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text())


def test_every_yaml_file_parses(baked: Bake):
    for path in project_files(baked.project):
        if path.suffix in {".yml", ".yaml"}:
            list(yaml.safe_load_all(path.read_text()))


def test_pyproject_ships_the_app_html_templates_and_static_files(baked: Bake):
    package = baked.answers["package_name"]
    package_data = pyproject_of(baked)["tool"]["setuptools"]["package-data"]
    assert package in package_data
    unmatched = [pattern for pattern in package_data[package] if not list(baked.package_dir.glob(pattern))]
    assert not unmatched


def test_pyproject_is_named_after_the_slug(baked: Bake):
    assert pyproject_of(baked)["project"]["name"] == baked.answers["project_slug"]


def test_the_readme_named_in_pyproject_exists(baked: Bake):
    readme = pyproject_of(baked)["project"].get("readme")
    if isinstance(readme, dict):
        readme = readme.get("file")
    if readme is not None:
        assert (baked.project / readme).is_file(), (
            f"pyproject.toml names {readme}, which the bake does not write"
        )


def test_the_makefile_offers_the_contract_targets_with_one_line_help(baked: Bake):
    documented = makefile_help(baked.project / "Makefile")
    missing = [target for target in MAKE_CONTRACT_TARGETS if target not in documented]
    assert not missing, f"targets without a '## ' help line: {missing}"


def test_make_lint_type_checks_the_app_package_strictly(baked: Bake):
    # mypy itself runs in the slow tier (it needs the project's dependencies installed); this keeps it wired.
    pyproject = pyproject_of(baked)
    assert any(requirement.startswith("mypy") for requirement in pyproject["dependency-groups"]["dev"])
    mypy = pyproject["tool"]["mypy"]
    assert mypy["strict"] is True
    assert "src" in mypy["files"]
    package = baked.answers["package_name"]
    relaxed = [module for override in mypy.get("overrides", []) for module in override["module"]]
    assert not [module for module in relaxed if module.split(".")[0] == package], relaxed
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", (baked.project / "Makefile").read_text(), re.MULTILINE)
    assert recipe, "no lint target with a recipe"
    assert "$(BIN)/mypy" in recipe[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_help_lists_the_contract_targets(baked: Bake):
    result = run_in(baked.project, ["make", "--no-print-directory", "help"])
    assert result.returncode == 0, result.stderr
    listed = {line.split()[1] for line in result.stdout.splitlines() if line.strip().startswith("make ")}
    assert set(MAKE_CONTRACT_TARGETS) <= listed, result.stdout
