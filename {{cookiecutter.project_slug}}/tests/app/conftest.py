"""Fixtures for the App's own tests: the App and the PIM emulator over HTTP, and the databases at hand."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from {{ cookiecutter.package_name }}.database import Base, create_database_engine, create_schema

from tests.support.stack import Stack, running_stack


class Clock:
    """Seconds since the epoch, moved by hand: `clock.now += 60`."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


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


@pytest.fixture(scope="session")
def postgresql_schema() -> Iterator[tuple[str, Engine] | None]:
    """A schema of this test process's own on TEST_DATABASE_URL, with the App's tables: (URL, engine).

    Made once: creating and dropping a schema of tables for every test cost more than most tests.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield None
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    schema_url = f"{url}?options=-csearch_path%3D{schema}"
    engine = create_database_engine(schema_url)
    create_schema(engine)
    yield schema_url, engine
    engine.dispose()
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgresql_schema: tuple[str, Engine] | None
) -> Iterator[str]:
    """A real SQLite file, then the real PostgreSQL server in a schema of this process's, emptied first.

    Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the PostgreSQL half;
    REQUIRE_POSTGRES=1 turns its absence into a failure, so CI cannot skip it silently.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.sqlite3'}"
        return
    if postgresql_schema is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("TEST_DATABASE_URL is not set")
    schema_url, engine = postgresql_schema
    # Every table emptied: each test starts from the empty database a fresh install has, as with SQLite.
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    yield schema_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()
