"""Tier (a): quotes, backslashes, newlines and non-ASCII text in free-text answers still bake valid code."""

from __future__ import annotations

import ast
import tomllib

import pytest
from dotenv import dotenv_values

from helpers import Bake, project_files


def app_name_of(baked: Bake) -> object:
    """The value of APP_NAME in the baked package's __init__.py, read without importing it."""
    tree = ast.parse((baked.package_dir / "__init__.py").read_text())
    for node in tree.body:
        names = [target.id for target in getattr(node, "targets", []) if isinstance(target, ast.Name)]
        if isinstance(node, ast.Assign) and names == ["APP_NAME"]:
            return ast.literal_eval(node.value)
    raise AssertionError("no APP_NAME = ... in the package's __init__.py")


def test_the_bake_succeeds(hostile_baked: Bake):
    assert hostile_baked.error is None
    assert hostile_baked.project.is_dir()


def test_every_python_file_compiles(hostile_baked: Bake):
    for path in project_files(hostile_baked.project):
        if path.suffix == ".py":
            compile(path.read_text(), str(path), "exec")


def test_every_toml_file_parses(hostile_baked: Bake):
    for path in project_files(hostile_baked.project):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text())


def test_the_app_name_literal_round_trips(hostile_baked: Bake):
    assert app_name_of(hostile_baked) == hostile_baked.answers["project_name"]


def test_description_and_author_round_trip_through_pyproject(hostile_baked: Bake):
    project = tomllib.loads((hostile_baked.project / "pyproject.toml").read_text())["project"]
    assert project["description"] == hostile_baked.answers["description"]
    assert project["authors"] == [{"name": hostile_baked.answers["author"]}]


@pytest.mark.parametrize("env_file", [".env", ".env.example"])
def test_the_app_name_round_trips_through_the_env_files(hostile_baked: Bake, env_file: str):
    # python-dotenv is what the generated project reads .env with (load_dotenv, dotenv_values: interpolating).
    values = dotenv_values(hostile_baked.project / env_file)
    if "PIM_EMULATOR_APP_NAME" not in values:
        pytest.skip(f"{env_file} does not carry the App name")
    assert values["PIM_EMULATOR_APP_NAME"] == hostile_baked.answers["project_name"]
