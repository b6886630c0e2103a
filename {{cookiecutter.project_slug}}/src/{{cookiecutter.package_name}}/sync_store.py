"""Where synced products and each PIM's sync state live: two tables in the App's one database.

`synced_products` holds one row per (PIM, product uuid): the columns an App filters on and the product's
whole JSON (JSONB on PostgreSQL, JSON text on SQLite). `sync_states` holds one row per PIM: the last
successful sync, the last failure, and the run in progress, whose checkpoint (the PIM's next link) commits in
the same transaction as the batch it follows. A run killed at any point resumes after its last batch.

The run in progress is also a lease: one process at a time syncs a PIM, whichever machine it runs on, because
taking the lease is one conditional UPDATE on the shared database. A lease whose holder stopped renewing it
expires; on the holder's own machine a dead process's lease is taken over at once.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CursorResult,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Mapped, mapped_column

from .database import Base, as_utc, create_schema, upsert_insert

# Renewed with every batch: longer than the slowest batch (a few pages of up to 60 s each from a slow PIM).
LEASE = timedelta(minutes=10)
MAX_ERROR_LENGTH = 1000


class SyncBusy(Exception):
    """Another process holds this PIM's sync lease."""


class LeaseLost(Exception):
    """This process's lease expired and another process took the PIM over: stop without writing."""


class _SyncStateRow(Base):
    __tablename__ = "sync_states"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    pim_url: Mapped[str] = mapped_column(String(2048), unique=True, nullable=False)
    # The last successful run: incremental runs ask for what changed since it started.
    last_success_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_failed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_written: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_removed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The run in progress (or interrupted): run_started_at is null when there is none.
    run_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    run_full: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    run_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    run_cursor: Mapped[str | None] = mapped_column(Text)  # the PIM's next link after the last committed batch
    run_written: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(300))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class _SyncedProductRow(Base):
    __tablename__ = "synced_products"

    pim_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # sync_states.id
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    identifier: Mapped[str | None] = mapped_column(String(255), index=True)
    family: Mapped[str | None] = mapped_column(String(100))
    parent: Mapped[str | None] = mapped_column(String(255))
    updated: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), nullable=False)
    # A full run removes the rows it did not see.
    seen_in_run: Mapped[int] = mapped_column(Integer, nullable=False)
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


STATES = cast(Table, _SyncStateRow.__table__)
PRODUCTS = cast(Table, _SyncedProductRow.__table__)


@dataclass(frozen=True)
class ProductRow:
    """A product as the sync writes it; checked for shape before it gets here."""

    uuid: str
    identifier: str | None
    family: str | None
    parent: str | None
    updated: datetime | None
    data: dict[str, Any]


@dataclass(frozen=True)
class Run:
    """A sync run this process holds the lease of: new, or resumed from its checkpoint."""

    pim_id: int
    pim_url: str
    owner: str
    number: int
    full: bool
    since: datetime | None  # incremental: products updated after this; None for a full run
    started_at: datetime
    cursor: str | None
    written: int
    resumed: bool


@dataclass(frozen=True)
class SyncStatus:
    """What the dashboard and the commands say about a PIM's copy."""

    pim_url: str
    products: int
    last_success_at: datetime | None
    last_finished_at: datetime | None
    last_failed: bool
    last_error: str | None
    running: bool  # a run holds a live lease
    interrupted: bool  # a run stopped before its end and resumes on the next sync
    run_full: bool
    run_written: int

    @property
    def state(self) -> str:
        """One word for pages and tests: running, failed, interrupted, synced or never."""
        if self.running:
            return "running"
        if self.last_failed:
            return "failed"
        if self.interrupted:
            return "interrupted"
        return "synced" if self.last_success_at is not None else "never"


def _now() -> datetime:
    return datetime.now(UTC)


def process_owner() -> str:
    """Who holds a lease: this machine and process, plus a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _is_dead_local_process(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


class SyncStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = _now) -> None:
        self._engine = engine
        self._clock = clock
        create_schema(engine)

    @property
    def engine(self) -> Engine:
        return self._engine

    # --- the lease and the run --------------------------------------------------------------

    def claim(self, pim_url: str, owner: str, *, full: bool, margin: timedelta) -> Run:
        """Take this PIM's lease and return the run to do: the interrupted one, or a new one.

        An interrupted run is resumed unless a full run is asked for and it was incremental. SyncBusy when a
        live process holds the lease.
        """
        now = self._clock()
        with self._engine.begin() as db:
            db.execute(upsert_insert(self._engine)(STATES).values(pim_url=pim_url).on_conflict_do_nothing())
            holder = db.execute(select(STATES.c.lease_owner).where(STATES.c.pim_url == pim_url)).scalar()
            free = or_(STATES.c.lease_owner.is_(None), STATES.c.lease_until < now)
            if holder is not None and _is_dead_local_process(holder):
                free = or_(free, STATES.c.lease_owner == holder)
            taken = db.execute(
                update(STATES)
                .where(STATES.c.pim_url == pim_url, free)
                .values(lease_owner=owner, lease_until=now + LEASE)
            )
            if not cast(CursorResult[Any], taken).rowcount:
                raise SyncBusy(f"a sync of {pim_url} is already running")
            state = db.execute(select(STATES).where(STATES.c.pim_url == pim_url)).one()
            if state.run_started_at is not None and (state.run_full or not full):
                return Run(
                    pim_id=state.id,
                    pim_url=pim_url,
                    owner=owner,
                    number=state.run_number,
                    full=state.run_full,
                    since=None if state.run_since is None else as_utc(state.run_since),
                    started_at=as_utc(state.run_started_at),
                    cursor=state.run_cursor,
                    written=state.run_written,
                    resumed=True,
                )
            last = state.last_success_started_at
            run_full = full or last is None
            since = None if run_full else as_utc(last) - margin
            number = state.run_number + 1
            db.execute(
                update(STATES)
                .where(STATES.c.id == state.id)
                .values(
                    run_number=number,
                    run_full=run_full,
                    run_since=since,
                    run_started_at=now,
                    run_cursor=None,
                    run_written=0,
                )
            )
            return Run(state.id, pim_url, owner, number, run_full, since, now, None, 0, resumed=False)

    def save_batch(self, run: Run, rows: Sequence[ProductRow], cursor: str | None) -> int:
        """Upsert these products and move the checkpoint past them, in one transaction; the run's total."""
        now = self._clock()
        with self._engine.begin() as db:
            self._renew(db, run, now, run_cursor=cursor, run_written=STATES.c.run_written + len(rows))
            if rows:
                insert = upsert_insert(self._engine)(PRODUCTS)
                upsert = insert.on_conflict_do_update(
                    index_elements=[PRODUCTS.c.pim_id, PRODUCTS.c.uuid],
                    set_={
                        name: insert.excluded[name]
                        for name in ("identifier", "family", "parent", "updated", "data", "seen_in_run")
                    }
                    | {"synced_at": insert.excluded.synced_at},
                )
                db.execute(
                    upsert,
                    [
                        {
                            "pim_id": run.pim_id,
                            "uuid": row.uuid,
                            "identifier": row.identifier,
                            "family": row.family,
                            "parent": row.parent,
                            "updated": row.updated,
                            "data": row.data,
                            "seen_in_run": run.number,
                            "synced_at": now,
                        }
                        for row in rows
                    ],
                )
            total = db.execute(select(STATES.c.run_written).where(STATES.c.id == run.pim_id)).scalar_one()
        return int(total)

    def finish(self, run: Run) -> tuple[int, int]:
        """End a run that read everything: a full run removes what it did not see. (written, removed)."""
        now = self._clock()
        with self._engine.begin() as db:
            written = db.execute(select(STATES.c.run_written).where(STATES.c.id == run.pim_id)).scalar_one()
            removed = 0
            if run.full:
                result = db.execute(
                    delete(PRODUCTS).where(
                        PRODUCTS.c.pim_id == run.pim_id, PRODUCTS.c.seen_in_run != run.number
                    )
                )
                removed = cast(CursorResult[Any], result).rowcount
            self._renew(
                db,
                run,
                now,
                last_success_started_at=run.started_at,
                last_finished_at=now,
                last_failed=False,
                last_error=None,
                last_written=written,
                last_removed=removed,
                run_started_at=None,
                run_since=None,
                run_cursor=None,
                run_written=0,
                lease_owner=None,
                lease_until=None,
            )
        return int(written), removed

    def fail(self, run: Run, error: str) -> None:
        """Record why the run stopped and free the lease; the checkpoint stays for the next attempt."""
        with self._engine.begin() as db:
            db.execute(
                update(STATES)
                .where(STATES.c.id == run.pim_id, STATES.c.lease_owner == run.owner)
                .values(
                    last_finished_at=self._clock(),
                    last_failed=True,
                    last_error=error[:MAX_ERROR_LENGTH],
                    lease_owner=None,
                    lease_until=None,
                )
            )

    def _renew(self, db: Connection, run: Run, now: datetime, **values: Any) -> None:
        if "lease_owner" not in values:
            values["lease_until"] = now + LEASE
        mine = and_(STATES.c.id == run.pim_id, STATES.c.lease_owner == run.owner)
        renewed = db.execute(update(STATES).where(mine).values(**values))
        if not cast(CursorResult[Any], renewed).rowcount:
            raise LeaseLost(f"the sync of {run.pim_url} was taken over by another process")

    # --- reading ------------------------------------------------------------------------------

    def status(self, pim_url: str) -> SyncStatus:
        now = self._clock()
        with self._engine.connect() as db:
            state = db.execute(select(STATES).where(STATES.c.pim_url == pim_url)).one_or_none()
            if state is None:
                return SyncStatus(pim_url, 0, None, None, False, None, False, False, False, 0)
            count = db.execute(
                select(func.count()).select_from(PRODUCTS).where(PRODUCTS.c.pim_id == state.id)
            ).scalar_one()
        live = state.lease_until is not None and as_utc(state.lease_until) > now
        running = state.lease_owner is not None and live and not _is_dead_local_process(state.lease_owner)
        return SyncStatus(
            pim_url=pim_url,
            products=int(count),
            last_success_at=_maybe_utc(state.last_success_started_at),
            last_finished_at=_maybe_utc(state.last_finished_at),
            last_failed=state.last_failed,
            last_error=state.last_error,
            running=running,
            interrupted=state.run_started_at is not None and not running,
            run_full=state.run_full,
            run_written=state.run_written,
        )

    def interrupted_pims(self) -> list[str]:
        """PIMs whose last run stopped before its end (a killed worker) and no process is running now."""
        now = self._clock()
        with self._engine.connect() as db:
            rows = db.execute(
                select(STATES.c.pim_url, STATES.c.lease_owner, STATES.c.lease_until).where(
                    STATES.c.run_started_at.is_not(None)
                )
            )
            return [
                row.pim_url
                for row in rows
                if row.lease_owner is None
                or as_utc(row.lease_until) < now
                or _is_dead_local_process(row.lease_owner)
            ]

    def forget(self, pim_url: str) -> None:
        """Delete a PIM's copy and state (the App forgot the PIM)."""
        with self._engine.begin() as db:
            pim_id = db.execute(select(STATES.c.id).where(STATES.c.pim_url == pim_url)).scalar()
            if pim_id is not None:
                db.execute(delete(PRODUCTS).where(PRODUCTS.c.pim_id == pim_id))
                db.execute(delete(STATES).where(STATES.c.id == pim_id))


def _maybe_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)
