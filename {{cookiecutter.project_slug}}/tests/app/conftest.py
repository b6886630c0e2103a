"""Fixtures for the App's own tests: the App and the PIM emulator over HTTP, and the databases at hand."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from {{ cookiecutter.package_name }}.database import Base, create_database_engine

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


@dataclass
class PostgresqlSchema:
    """A schema of this test process's own on TEST_DATABASE_URL, for the tests of this process in turn."""

    url: str
    engine: Engine
    tables: frozenset[str] = frozenset()

    def empty(self) -> None:
        """Every table of the App there, and empty (identity sequences are not reset)."""
        with self.engine.begin() as connection:
            if self.tables != frozenset(Base.metadata.tables):  # a module imported since defines more
                Base.metadata.create_all(connection)
                self.tables = frozenset(Base.metadata.tables)
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())


@contextmanager
def new_postgresql_schema(url: str) -> Iterator[str]:
    """A new, empty schema on the server at `url`, dropped after: the URL that works in it."""
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield f"{url}?options=-csearch_path%3D{schema}"
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def postgresql_url_or_skip() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("TEST_DATABASE_URL is not set")
    return url


@pytest.fixture(scope="session")
def postgresql_schema() -> Iterator[PostgresqlSchema]:
    """One schema for this test process, its tables made once: a schema of tables made and dropped for every
    test cost more than most tests."""
    with new_postgresql_schema(postgresql_url_or_skip()) as url:
        engine = create_database_engine(url)
        try:
            yield PostgresqlSchema(url, engine)
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A real SQLite file, then the real PostgreSQL server in a schema of this process's, emptied first.

    Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the PostgreSQL half;
    REQUIRE_POSTGRES=1 turns its absence into a failure, so CI cannot skip it silently.
    """
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'app.sqlite3'}"
    schema: PostgresqlSchema = request.getfixturevalue("postgresql_schema")  # only for the PostgreSQL half
    schema.empty()
    return schema.url


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no table at all: a new SQLite file, or a new PostgreSQL schema of the test's own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with new_postgresql_schema(postgresql_url_or_skip()) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()
