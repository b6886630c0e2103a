"""The PIM users who signed in to the App, keyed by `(pim_url, sub)`.

`sub` is the only stable identifier (a UUID per user and App, kept until the App is disconnected); name and
email are what the latest id_token said, for display only: a PIM user can change them, and nothing verifies
them. A user whose consent no longer includes `profile` or `email` keeps no name or email here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String, delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import Base, as_utc, create_schema, upsert_insert
from .openid import Identity


@dataclass(frozen=True)
class User:
    pim_url: str
    sub: str
    first_name: str
    last_name: str
    email: str
    first_seen_at: datetime
    last_seen_at: datetime

    @property
    def display_name(self) -> str:
        """The name to show: first and last name, else the email, else a short form of the user ID."""
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email or f"user {self.sub[:8]}"


class _UserRow(Base):
    __tablename__ = "pim_users"

    pim_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    sub: Mapped[str] = mapped_column(String(255), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    last_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    email: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


_TABLE = _UserRow.__table__


def _to_user(row: Any) -> User:
    return User(
        pim_url=row.pim_url,
        sub=row.sub,
        first_name=row.first_name,
        last_name=row.last_name,
        email=row.email,
        first_seen_at=as_utc(row.first_seen_at),
        last_seen_at=as_utc(row.last_seen_at),
    )


class UserStore:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock
        create_schema(engine)

    def save(self, identity: Identity) -> User:
        """Record a sign-in: a new user, or the same `(pim_url, sub)` with what the PIM says of them now."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        details = {
            "first_name": identity.first_name,
            "last_name": identity.last_name,
            "email": identity.email,
            "last_seen_at": now,
        }
        insert = upsert_insert(self._engine)(_TABLE).values(
            pim_url=identity.pim_url, sub=identity.sub, first_seen_at=now, **details
        )
        upsert = insert.on_conflict_do_update(index_elements=[_TABLE.c.pim_url, _TABLE.c.sub], set_=details)
        with Session(self._engine) as db, db.begin():
            return _to_user(db.execute(upsert.returning(*_TABLE.c)).one())

    def get(self, pim_url: str, sub: str) -> User | None:
        with Session(self._engine) as db:
            row = db.get(_UserRow, (pim_url, sub))
            return None if row is None else _to_user(row)

    def forget_pim(self, pim_url: str) -> None:
        """The App forgot this PIM: its users go too."""
        with Session(self._engine) as db, db.begin():
            db.execute(delete(_UserRow).where(_UserRow.pim_url == pim_url))
