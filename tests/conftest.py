"""Fixtures for the template's tests: shared bakes of the option matrix and of the hostile answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import HOSTILE, MATRIX, TEMPLATE_DIR, Bake, Bakery, rows_with, write_cookiecutter_config


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # pytest-cookies bakes the template in the current directory unless --template says otherwise; make the
    # default this repository so the suite runs from any directory.
    if config.getoption("template") == os.path.abspath("."):
        config.option.template = str(TEMPLATE_DIR)


@pytest.fixture(scope="session")
def cookiecutter_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_cookiecutter_config(tmp_path_factory.mktemp("cookiecutter-user"))


@pytest.fixture(scope="session")
def bakery(tmp_path_factory: pytest.TempPathFactory, cookiecutter_config: Path) -> Bakery:
    return Bakery(tmp_path_factory.mktemp("bakes"), cookiecutter_config)


@pytest.fixture(params=MATRIX, ids=lambda variant: variant.id)
def baked(request: pytest.FixtureRequest, bakery: Bakery) -> Bake:
    """One bake of the option matrix (baked once per session, shared by every test that asks for it)."""
    return bakery.get(request.param)


@pytest.fixture(params=HOSTILE, ids=lambda variant: variant.id)
def hostile_baked(request: pytest.FixtureRequest, bakery: Bakery) -> Bake:
    """One bake whose free-text answers hold quotes, backslashes, newlines and non-ASCII text."""
    return bakery.get(request.param)


@pytest.fixture(params=MATRIX + HOSTILE, ids=lambda variant: variant.id)
def any_baked(request: pytest.FixtureRequest, bakery: Bakery) -> Bake:
    """Every shared bake: the matrix and the hostile answers."""
    return bakery.get(request.param)


@pytest.fixture(params=rows_with("docker"), ids=lambda variant: variant.id)
def docker_bake(request: pytest.FixtureRequest, bakery: Bakery) -> Bake:
    """A matrix bake that chose Docker."""
    return bakery.get(request.param)


@pytest.fixture(params=rows_with("ci"), ids=lambda variant: variant.id)
def ci_bake(request: pytest.FixtureRequest, bakery: Bakery) -> Bake:
    """A matrix bake that chose the CI workflow."""
    return bakery.get(request.param)
