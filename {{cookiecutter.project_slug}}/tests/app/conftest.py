"""Fixtures for the App's own tests: settings, a real SQLite store, and the App served over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from tests.support.app_settings import make_settings
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(database_url=f"sqlite:///{tmp_path / 'tokens.sqlite3'}")


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[SqlTokenStore]:
    store = SqlTokenStore.from_url(settings.database_url)
    yield store
    store.engine.dispose()
