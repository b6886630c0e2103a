"""Server-side browser sessions: the cookie holds a random id, everything else lives in the App's database.

A session holds the activations it has in flight (`state` → PIM URL, single use across every worker) and the
PIMs it may see. The cookie is the 256-bit id (plus an HMAC with SECRET_KEY, so a forged value is turned away
without a database look-up); the database keeps only a hash of the id, so a leaked dump opens nothing, and
signing out or expiry really ends a session. A session gets a new id when it signs in (a successful
callback): a cookie captured before then opens nothing after. Until then it lives as long as an activation.

When the App asks for `openid` (`require_user`), a session sees a PIM only while a user of that PIM is signed
in to it, the one the PIM's id_token named; without `openid`, the browser that ran the activation sees it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import Boolean, DateTime, Index, String, delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import Base, as_utc, create_schema, upsert_insert

ID_BYTES = 32
STATE_BYTES = 32  # 256 bits
IDLE_LIFETIME = 12 * 3600  # seconds without a visit before a session ends
MAX_LIFETIME = 7 * 24 * 3600  # seconds from sign-in, visits or not
TOUCH_EVERY = 300  # seconds: a visit extends the session at most this often, not a write per request
PENDING_LIFETIME = 30 * 60  # seconds: the consent wizard can take a person a while
MAX_PENDING = 8  # activations in flight per session; the oldest goes first
MAX_VISIBLE_PIMS = 50
MAX_COOKIE_LENGTH = 200


class StateProblem(Enum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    EXPIRED = "expired"


class StateError(Exception):
    def __init__(self, problem: StateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class BrowserSession:
    key: str  # the hash of the id: what the database knows the session by
    csrf_token: str


@dataclass(frozen=True)
class PendingActivation:
    pim_url: str


class _SessionRow(Base):
    __tablename__ = "browser_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf_token: Mapped[str] = mapped_column(String(64), nullable=False)
    signed_in: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)


class _PendingRow(Base):
    __tablename__ = "pending_activations"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    pim_url: Mapped[str] = mapped_column(String(2048), nullable=False)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)


class _VisiblePimRow(Base):
    __tablename__ = "session_pims"
    __table_args__ = (Index("ix_session_pims_pim_url", "pim_url"),)

    session_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pim_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class _SessionUserRow(Base):
    """Who is signed in to a session for each PIM: one user per PIM, the latest sign-in."""

    __tablename__ = "session_users"

    session_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pim_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    sub: Mapped[str] = mapped_column(String(255), nullable=False)
    signed_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class _ReauthorizationRow(Base):
    """A session already asked a PIM for these scopes once: it never asks again on its own (no loop)."""

    __tablename__ = "session_reauthorizations"

    session_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    pim_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    scopes: Mapped[str] = mapped_column(String(1000), nullable=False)
    asked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


# Everything a session holds besides itself, keyed by its session_key.
_HELD_BY_SESSION = (_PendingRow, _VisiblePimRow, _SessionUserRow, _ReauthorizationRow)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _timestamp(moment: datetime) -> float:
    return as_utc(moment).timestamp()


class SessionStore:
    def __init__(
        self,
        engine: Engine,
        secret_key: str,
        clock: Callable[[], float] = time.time,
        *,
        require_user: bool = False,
    ) -> None:
        self._engine = engine
        self._secret = secret_key.encode()
        self._clock = clock
        self._require_user = require_user
        create_schema(engine)

    # The cookie

    def create(self) -> tuple[BrowserSession, str]:
        """A new session, not signed in, and the cookie value that opens it."""
        self.remove_expired()
        with Session(self._engine) as db, db.begin():
            return self._insert(db, signed_in=False)

    def sign_in(self, session: BrowserSession) -> tuple[BrowserSession, str]:
        """The same session under a new id, signed in: what it held moves over, the old id opens nothing."""
        with Session(self._engine) as db, db.begin():
            renewed, cookie = self._insert(db, signed_in=True)
            for table in _HELD_BY_SESSION:
                db.execute(
                    update(table).where(table.session_key == session.key).values(session_key=renewed.key)
                )
            db.execute(delete(_SessionRow).where(_SessionRow.key == session.key))
        return renewed, cookie

    def find(self, cookie: str | None) -> BrowserSession | None:
        """The live session this cookie opens, extended by the visit; None for anything else."""
        if not cookie or len(cookie) > MAX_COOKIE_LENGTH or cookie.count(".") != 1:
            return None
        session_id, signature = cookie.split(".")
        if not hmac.compare_digest(signature.encode(), self._signature(session_id).encode()):
            return None
        now = self._clock()
        with Session(self._engine) as db, db.begin():
            row = db.get(_SessionRow, _hash(session_id))
            if row is None or _timestamp(row.expires_at) <= now:
                return None
            if row.signed_in and now - _timestamp(row.last_seen_at) >= TOUCH_EVERY:
                row.last_seen_at = _moment(now)
                row.expires_at = _moment(min(now + IDLE_LIFETIME, _timestamp(row.created_at) + MAX_LIFETIME))
            return self._to_session(row)

    def end(self, session: BrowserSession) -> None:
        """Sign out: the session, its pending activations and the PIMs it could see are gone."""
        with Session(self._engine) as db, db.begin():
            self._delete_sessions(db, [session.key])

    # Activations in flight

    def start_activation(self, session: BrowserSession, pim_url: str) -> str:
        """A fresh single-use state for an activation of `pim_url` in this session."""
        now = self._clock()
        state = secrets.token_urlsafe(STATE_BYTES)
        with Session(self._engine) as db, db.begin():
            db.execute(delete(_PendingRow).where(_PendingRow.started_at < _moment(now - PENDING_LIFETIME)))
            pending = db.scalars(
                select(_PendingRow.state_hash)
                .where(_PendingRow.session_key == session.key)
                .order_by(_PendingRow.started_at.desc(), _PendingRow.state_hash)
                .offset(MAX_PENDING - 1)
            ).all()
            if pending:
                db.execute(delete(_PendingRow).where(_PendingRow.state_hash.in_(pending)))
            db.add(
                _PendingRow(
                    state_hash=_hash(state), session_key=session.key, pim_url=pim_url, started_at=_moment(now)
                )
            )
        return state

    def consume_activation(self, session: BrowserSession | None, state: str | None) -> PendingActivation:
        """The activation this state belongs to, deleted in the same statement: a replay finds nothing.

        The state is looked up by its hash, so the lookup time says nothing about how close a guess was.
        """
        if not state:
            raise StateError(StateProblem.MISSING)
        if session is None or len(state) > 512:
            raise StateError(StateProblem.UNKNOWN)
        with Session(self._engine) as db, db.begin():
            row = db.execute(
                delete(_PendingRow)
                .where(_PendingRow.state_hash == _hash(state), _PendingRow.session_key == session.key)
                .returning(_PendingRow.pim_url, _PendingRow.started_at)
            ).one_or_none()
        if row is None:
            raise StateError(StateProblem.UNKNOWN)
        if self._clock() - _timestamp(row.started_at) > PENDING_LIFETIME:
            raise StateError(StateProblem.EXPIRED)
        return PendingActivation(row.pim_url)

    # The PIMs a session may see

    def allow_pim(self, session: BrowserSession, pim_url: str) -> None:
        now = _moment(self._clock())
        insert = upsert_insert(self._engine)(_VisiblePimRow).values(
            session_key=session.key, pim_url=pim_url, added_at=now
        )
        with Session(self._engine) as db, db.begin():
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=[_VisiblePimRow.session_key, _VisiblePimRow.pim_url],
                    set_={"added_at": now},
                )
            )
            oldest = db.scalars(
                select(_VisiblePimRow.pim_url)
                .where(_VisiblePimRow.session_key == session.key)
                .order_by(_VisiblePimRow.added_at.desc(), _VisiblePimRow.pim_url)
                .offset(MAX_VISIBLE_PIMS)
            ).all()
            if oldest:
                db.execute(
                    delete(_VisiblePimRow).where(
                        _VisiblePimRow.session_key == session.key, _VisiblePimRow.pim_url.in_(oldest)
                    )
                )

    def visible_pims(self, session: BrowserSession) -> list[str]:
        """The PIMs this session connected or opened (under openid: with a user signed in), latest first."""
        query = select(_VisiblePimRow.pim_url).where(_VisiblePimRow.session_key == session.key)
        if self._require_user:
            query = query.join(
                _SessionUserRow,
                (_SessionUserRow.session_key == _VisiblePimRow.session_key)
                & (_SessionUserRow.pim_url == _VisiblePimRow.pim_url),
            )
        with Session(self._engine) as db:
            return list(db.scalars(query.order_by(_VisiblePimRow.added_at.desc(), _VisiblePimRow.pim_url)))

    def may_see(self, session: BrowserSession | None, pim_url: str) -> bool:
        if session is None:
            return False
        with Session(self._engine) as db:
            if self._require_user and db.get(_SessionUserRow, (session.key, pim_url)) is None:
                return False
            return db.get(_VisiblePimRow, (session.key, pim_url)) is not None

    def forget_pim(self, pim_url: str) -> None:
        """No session sees this PIM any more (the App forgot it)."""
        with Session(self._engine) as db, db.begin():
            for table in (_VisiblePimRow, _SessionUserRow, _ReauthorizationRow):
                db.execute(delete(table).where(table.pim_url == pim_url))

    # Who is signed in

    def sign_in_user(self, session: BrowserSession, pim_url: str, sub: str) -> None:
        """This PIM's user `sub` is the one in front of this session now; the session may see the PIM."""
        now = _moment(self._clock())
        insert = upsert_insert(self._engine)(_SessionUserRow).values(
            session_key=session.key, pim_url=pim_url, sub=sub, signed_in_at=now
        )
        with Session(self._engine) as db, db.begin():
            db.execute(
                insert.on_conflict_do_update(
                    index_elements=[_SessionUserRow.session_key, _SessionUserRow.pim_url],
                    set_={"sub": sub, "signed_in_at": now},
                )
            )
        self.allow_pim(session, pim_url)

    def sign_out_of_pim(self, session: BrowserSession, pim_url: str) -> None:
        """Nobody is signed in to this session for this PIM any more, and it no longer sees the PIM."""
        with Session(self._engine) as db, db.begin():
            for table in (_VisiblePimRow, _SessionUserRow):
                db.execute(delete(table).where(table.session_key == session.key, table.pim_url == pim_url))

    def signed_in_users(self, session: BrowserSession) -> dict[str, str]:
        """`{pim_url: sub}` of the users signed in to this session."""
        with Session(self._engine) as db:
            rows = db.execute(
                select(_SessionUserRow.pim_url, _SessionUserRow.sub).where(
                    _SessionUserRow.session_key == session.key
                )
            )
            return {pim_url: sub for pim_url, sub in rows}

    # Asking a PIM for new scopes

    def claim_reauthorization(self, session: BrowserSession, pim_url: str, scopes: str) -> bool:
        """True the first time this session asks this PIM for these scopes; False ever after.

        One statement, so two tabs of one session cannot both win.
        """
        now = _moment(self._clock())
        insert = upsert_insert(self._engine)(_ReauthorizationRow).values(
            session_key=session.key, pim_url=pim_url, scopes=scopes, asked_at=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[_ReauthorizationRow.session_key, _ReauthorizationRow.pim_url],
            set_={"scopes": scopes, "asked_at": now},
            where=_ReauthorizationRow.scopes != scopes,
        ).returning(_ReauthorizationRow.pim_url)
        with Session(self._engine) as db, db.begin():
            return db.execute(statement).first() is not None

    # Upkeep

    def remove_expired(self) -> int:
        """Delete ended sessions with what they held, and stale activations; returns how many sessions."""
        now = self._clock()
        with Session(self._engine) as db, db.begin():
            ended = db.scalars(select(_SessionRow.key).where(_SessionRow.expires_at <= _moment(now))).all()
            self._delete_sessions(db, ended)
            db.execute(delete(_PendingRow).where(_PendingRow.started_at < _moment(now - PENDING_LIFETIME)))
        return len(ended)

    def csrf_ok(self, session: BrowserSession | None, token: str | None) -> bool:
        """Whether a form really came from a page of this session."""
        return bool(session and token and hmac.compare_digest(session.csrf_token.encode(), token.encode()))

    # Inside

    def _signature(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def _delete_sessions(db: Session, keys: Sequence[str]) -> None:
        if not keys:
            return
        for table in _HELD_BY_SESSION:
            db.execute(delete(table).where(table.session_key.in_(keys)))
        db.execute(delete(_SessionRow).where(_SessionRow.key.in_(keys)))

    def _insert(self, db: Session, *, signed_in: bool) -> tuple[BrowserSession, str]:
        now = self._clock()
        session_id = secrets.token_urlsafe(ID_BYTES)
        row = _SessionRow(
            key=_hash(session_id),
            csrf_token=secrets.token_urlsafe(32),
            signed_in=signed_in,
            created_at=_moment(now),
            last_seen_at=_moment(now),
            expires_at=_moment(now + (IDLE_LIFETIME if signed_in else PENDING_LIFETIME)),
        )
        db.add(row)
        return self._to_session(row), f"{session_id}.{self._signature(session_id)}"

    @staticmethod
    def _to_session(row: _SessionRow) -> BrowserSession:
        return BrowserSession(key=row.key, csrf_token=row.csrf_token)
