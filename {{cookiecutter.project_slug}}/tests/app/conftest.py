"""Fixtures for the App's own tests: settings, a real SQLite store, and the App served over HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from tests.support.app_settings import make_settings
from tests.support.stack import Stack, running_stack


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(database_url=f"sqlite:///{tmp_path / 'tokens.sqlite3'}")


@pytest.fixture
def sqlite_store(settings: Settings) -> Iterator[SqlTokenStore]:
    store = SqlTokenStore.from_url(settings.database_url)
    yield store
    store.engine.dispose()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    """The App and the PIM emulator over real HTTP; the emulator approves consent at once."""
    with running_stack(tmp_path) as running:
        yield running


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
