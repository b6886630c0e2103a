"""When the App asks for more scopes than a PIM granted: tell the PIM once, and say what is missing.

The PIM's `scopes/update` endpoint only flags the App as asking for new scopes (a notice for the PIM's
administrators); the scopes change when a user with the right to manage Apps goes through authorize and
accepts them. The notice is remembered per PIM in the database, for the exact list asked, so it goes out once
across every worker and restart, and again only when the list changes (or after a failure that may pass).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, delete
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import Base, create_schema, upsert_insert
from .pim_api import AppDisconnected, PimApiClient, PimApiError
from .scopes import missing_scopes
from .settings import Settings
from .token_store import Connection, TokenStore

log = logging.getLogger(__name__)


class _NoticeRow(Base):
    __tablename__ = "scope_notices"

    pim_url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    scopes: Mapped[str] = mapped_column(String(1000), nullable=False)
    notified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class ScopeNotices:
    """Which scope list each PIM was told about."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._clock = clock
        create_schema(engine)

    def claim(self, pim_url: str, scopes: str) -> bool:
        """True for the one caller that should tell this PIM about `scopes`: the first, in one statement."""
        now = datetime.fromtimestamp(self._clock(), UTC)
        insert = upsert_insert(self._engine)(_NoticeRow).values(
            pim_url=pim_url, scopes=scopes, notified_at=now
        )
        statement = insert.on_conflict_do_update(
            index_elements=[_NoticeRow.pim_url],
            set_={"scopes": scopes, "notified_at": now},
            where=_NoticeRow.scopes != scopes,
        ).returning(_NoticeRow.pim_url)
        with Session(self._engine) as db, db.begin():
            return db.execute(statement).first() is not None

    def release(self, pim_url: str) -> None:
        """The notice did not go through: the next page load tries again."""
        with Session(self._engine) as db, db.begin():
            db.execute(delete(_NoticeRow).where(_NoticeRow.pim_url == pim_url))


def _may_pass_later(error: PimApiError) -> bool:
    """Not reached, too slow, rate limited or failing (5xx): the next page load may get through."""
    return error.status is None or error.status == 429 or error.status >= 500


def scopes_missing(settings: Settings, connection: Connection) -> list[str]:
    """The authorization scopes the App asks for (AKENEO_SCOPES) that this PIM's grant does not cover."""
    return missing_scopes(settings.scopes, connection.scopes)


def notify_once(
    notices: ScopeNotices,
    store: TokenStore,
    client: PimApiClient,
    settings: Settings,
    connection: Connection,
) -> None:
    """Tell the PIM the full scope list the App now needs, unless it was told already."""
    if not notices.claim(connection.pim_url, settings.scope_string):
        return
    try:
        client.notify_scope_update(settings.scopes)
    except AppDisconnected:
        notices.release(connection.pim_url)
        store.mark_disconnected(connection.pim_url)
    except PimApiError as error:
        if _may_pass_later(error):
            notices.release(connection.pim_url)
            log.warning("Could not tell %s about the new scopes, yet: %s", connection.pim_url, error)
        else:
            # A PIM without the endpoint, or one that refuses it, answers the same on every page load.
            log.warning("%s refused the notice of new scopes, not sent again: %s", connection.pim_url, error)
    else:
        log.info("Told %s that the App now asks for: %s", connection.pim_url, settings.scope_string)
