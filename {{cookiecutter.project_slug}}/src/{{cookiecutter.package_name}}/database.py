"""The App's one database: tokens, browser sessions and their pending activations share it.

`DATABASE_URL` alone picks SQLite (one machine) or PostgreSQL (several workers or machines); both have the
native atomic upserts and `DELETE … RETURNING` the stores rely on.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import DeclarativeBase

SUPPORTED_BACKENDS = ("sqlite", "postgresql")


class UnsupportedDatabase(ValueError):
    pass


class Base(DeclarativeBase):
    """Every table of the App."""


def create_database_engine(database_url: str) -> Engine:
    try:
        url = make_url(database_url)
    except ArgumentError as error:
        raise UnsupportedDatabase(f"DATABASE_URL is not a database URL: {error}") from error
    backend = url.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise UnsupportedDatabase(
            f"DATABASE_URL: {backend} is not supported; use sqlite:///path or postgresql+psycopg://…"
        )
    if backend == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    connect_args = {"timeout": 15} if backend == "sqlite" else {}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def create_schema(engine: Engine) -> None:
    """Create the missing tables. Several workers may start at once: losing that race is fine."""
    try:
        Base.metadata.create_all(engine)
    except DBAPIError:
        existing = set(inspect(engine).get_table_names())
        if not set(Base.metadata.tables) <= existing:
            raise
