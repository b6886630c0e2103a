"""Where the App keeps one access token per connected PIM.

`TokenStore` is the interface the rest of the App uses; `SqlTokenStore` implements it with SQLAlchemy, so
`DATABASE_URL` alone picks SQLite (one instance) or PostgreSQL (several workers or instances). Tokens are
stored encrypted (see token_cipher): a database dump holds no usable token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, DateTime, Integer, String, Text, case, delete, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import Base, as_utc, create_database_engine, create_schema, upsert_insert
from .token_cipher import TokenCipher


@dataclass(frozen=True)
class Connection:
    """A PIM the App is (or was) connected to."""

    pim_url: str
    access_token: str = field(repr=False)
    scopes: tuple[str, ...]
    connected_at: datetime
    updated_at: datetime
    disconnected_at: datetime | None = None

    @property
    def is_connected(self) -> bool:
        return self.disconnected_at is None


class TokenStore(Protocol):
    def save(self, pim_url: str, access_token: str, scopes: tuple[str, ...]) -> Connection:
        """Store the newest token for this PIM: the PIM rotates tokens, so only the latest works."""
        ...

    def get(self, pim_url: str) -> Connection | None: ...

    def all(self) -> list[Connection]: ...

    def mark_disconnected(self, pim_url: str) -> None:
        """The PIM said the App was disconnected; the row stays until a reconnection replaces the token."""
        ...

    def delete(self, pim_url: str) -> bool: ...

    def reencrypt_all(self) -> int:
        """Encrypt every token with the first key (after a key rotation); returns how many."""
        ...

    def check(self) -> None:
        """Raise if the store cannot be reached (used by /health)."""
        ...


class _ConnectionRow(Base):
    __tablename__ = "pim_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pim_url: Mapped[str] = mapped_column(String(2048), unique=True, nullable=False)
    access_token_encrypted: Mapped[str] = mapped_column(Text, nullable=False)
    scopes: Mapped[str] = mapped_column(String(1000), nullable=False, default="")
    connected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    disconnected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


_TABLE = _ConnectionRow.__table__


def _to_connection(row: Any, cipher: TokenCipher) -> Connection:
    return Connection(
        pim_url=row.pim_url,
        access_token=cipher.decrypt(row.access_token_encrypted),
        scopes=tuple(row.scopes.split()),
        connected_at=as_utc(row.connected_at),
        updated_at=as_utc(row.updated_at),
        disconnected_at=None if row.disconnected_at is None else as_utc(row.disconnected_at),
    )


def _now() -> datetime:
    return datetime.now(UTC)


class SqlTokenStore:
    def __init__(self, engine: Engine, cipher: TokenCipher, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock
        create_schema(engine)

    @classmethod
    def from_url(cls, database_url: str, cipher: TokenCipher) -> SqlTokenStore:
        return cls(create_database_engine(database_url), cipher)

    @property
    def engine(self) -> Engine:
        return self._engine

    def save(self, pim_url: str, access_token: str, scopes: tuple[str, ...]) -> Connection:
        now = self._clock()
        insert = upsert_insert(self._engine)(_TABLE).values(
            pim_url=pim_url,
            access_token_encrypted=self._cipher.encrypt(access_token),
            scopes=" ".join(scopes),
            connected_at=now,
            updated_at=now,
            disconnected_at=None,
        )
        # One atomic statement: two callbacks for the same PIM at once must not collide.
        upsert = insert.on_conflict_do_update(
            index_elements=[_TABLE.c.pim_url],
            set_={
                "access_token_encrypted": insert.excluded.access_token_encrypted,
                "scopes": insert.excluded.scopes,
                "updated_at": insert.excluded.updated_at,
                "disconnected_at": None,
                # A reconnection after a disconnection starts a new connection.
                "connected_at": case(
                    (_TABLE.c.disconnected_at.is_(None), _TABLE.c.connected_at),
                    else_=insert.excluded.connected_at,
                ),
            },
        ).returning(*_TABLE.c)
        with Session(self._engine) as session, session.begin():
            return _to_connection(session.execute(upsert).one(), self._cipher)

    def get(self, pim_url: str) -> Connection | None:
        with Session(self._engine) as session:
            row = session.scalar(select(_ConnectionRow).where(_ConnectionRow.pim_url == pim_url))
            return None if row is None else _to_connection(row, self._cipher)

    def all(self) -> list[Connection]:
        with Session(self._engine) as session:
            rows = session.scalars(select(_ConnectionRow).order_by(_ConnectionRow.pim_url))
            return [_to_connection(row, self._cipher) for row in rows]

    def mark_disconnected(self, pim_url: str) -> None:
        with Session(self._engine) as session, session.begin():
            session.execute(
                update(_ConnectionRow)
                .where(_ConnectionRow.pim_url == pim_url, _ConnectionRow.disconnected_at.is_(None))
                .values(disconnected_at=self._clock())
            )

    def delete(self, pim_url: str) -> bool:
        with Session(self._engine) as session, session.begin():
            result = session.execute(delete(_ConnectionRow).where(_ConnectionRow.pim_url == pim_url))
            # Session.execute is typed for any statement; a DELETE's result is a CursorResult, with rowcount.
            return bool(cast(CursorResult[Any], result).rowcount)

    def reencrypt_all(self) -> int:
        with Session(self._engine) as session, session.begin():
            rows = session.scalars(select(_ConnectionRow).with_for_update()).all()
            for row in rows:
                row.access_token_encrypted = self._cipher.rotate(row.access_token_encrypted)
            return len(rows)

    def check(self) -> None:
        with self._engine.connect() as connection:
            connection.execute(text("SELECT 1"))
