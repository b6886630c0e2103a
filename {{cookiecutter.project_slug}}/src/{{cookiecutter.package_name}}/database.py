"""The App's one database: tokens, browser sessions and their pending activations share it.

`DATABASE_URL` alone picks SQLite (one machine) or PostgreSQL (several workers or machines); both have the
native atomic upserts and `DELETE … RETURNING` the stores rely on.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase

# Each supported database's INSERT with a native atomic upsert (ON CONFLICT … DO UPDATE).
UPSERT_INSERTS: dict[str, Callable[..., Any]] = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}
MIN_SQLITE = (3, 35)  # DELETE … RETURNING


class DatabaseError(ValueError):
    """The database cannot serve the App; the message is one line naming DATABASE_URL."""


class UnsupportedDatabase(DatabaseError):
    pass


class DatabaseUnreachable(DatabaseError):
    pass


class Base(DeclarativeBase):
    """Every table of the App."""


def create_database_engine(database_url: str) -> Engine:
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise UnsupportedDatabase(f"DATABASE_URL is not a database URL: {error}") from error
    backend = url.get_backend_name()
    if backend not in UPSERT_INSERTS:
        raise UnsupportedDatabase(
            f"DATABASE_URL: {backend} is not supported; use sqlite:///path or postgresql+psycopg://…"
        )
    if backend == "sqlite" and sqlite3.sqlite_version_info < MIN_SQLITE:
        raise UnsupportedDatabase(
            f"SQLite {sqlite3.sqlite_version} is too old (3.35 or newer is needed); use a newer Python or "
            "PostgreSQL"
        )
    if backend == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": 15} if backend == "sqlite" else {}
    # hide_parameters: a failed statement's error would carry its values (users' names, emails) into logs.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, hide_parameters=True)


# Engines whose tables exist: each store asks at construction, one look at the database is enough.
_schema_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def create_schema(engine: Engine) -> None:
    """Create the missing tables. Several processes may start at once on a new database (the App, the worker):
    they create the tables one after the other, or lose the race harmlessly."""
    if engine in _schema_ready:
        return
    try:
        if set(Base.metadata.tables) - set(inspect(engine).get_table_names()):
            try:
                with engine.begin() as connection:
                    if engine.dialect.name == "sqlite":
                        # SQLite runs each CREATE TABLE on its own, so another process could see half the
                        # tables: a transaction that takes the write lock first makes the others wait for all.
                        connection.exec_driver_sql("BEGIN IMMEDIATE")
                    Base.metadata.create_all(connection)
            except DBAPIError:
                # PostgreSQL: another process created a table first (this one waited for its commit).
                existing = set(inspect(engine).get_table_names())
                if not set(Base.metadata.tables) <= existing:
                    raise
    except OperationalError as error:
        raise DatabaseUnreachable(unreachable_message(engine, error)) from error
    _schema_ready.add(engine)


def unreachable_message(engine: Engine, error: OperationalError) -> str:
    """One line: which database, what the driver said, what to check."""
    where = engine.url.render_as_string(hide_password=True)
    said = str(error.orig).strip().splitlines()[0] if error.orig is not None else type(error).__name__
    return (
        f"DATABASE_URL: the database {where} cannot be reached ({said}). Check that the server runs and "
        "that the URL's host, port, name and credentials are right."
    )


def upsert_insert(engine: Engine) -> Callable[..., Any]:
    """`insert` of this engine's dialect, which offers on_conflict_do_update."""
    return UPSERT_INSERTS[engine.dialect.name]


def as_utc(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; everything the App stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
