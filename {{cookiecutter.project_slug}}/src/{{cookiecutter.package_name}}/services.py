"""What every entry point shares (web layers, commands, jobs), built once by `build_services`."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from sqlalchemy.engine import Engine

from .browser_sessions import SessionStore
from .database import create_database_engine
from .oauth import TOKEN_SECONDS
from .openid import PUBLIC_KEY_SECONDS, PublicKeyCache
from .pim_api import CALL_SECONDS
from .pim_http import build_pim_session
from .pim_url import exact_hosts
from .scope_changes import ScopeNotices
from .settings import Settings
from .token_cipher import TokenCipher
from .token_store import SqlTokenStore, TokenStore
from .users import UserStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallLimits:
    """Seconds each kind of PIM call may take, retries included.

    Everything a page waits for stays below the production server's worker timeout (30 s in
    gunicorn.conf.py): a slow PIM then costs a card, never a worker.
    """

    token_seconds: float = TOKEN_SECONDS  # the callback's token request
    public_key_seconds: float = PUBLIC_KEY_SECONDS  # the PIM's OpenID key, fetched at most twice a callback
    dashboard_seconds: float = 20.0  # the whole dashboard, all cards together
    card_seconds: float = 8.0  # one card's products
    command_seconds: float = CALL_SECONDS  # one call from a command or a job


@dataclass(frozen=True)
class Services:
    settings: Settings
    engine: Engine
    store: TokenStore
    sessions: SessionStore
    users: UserStore
    notices: ScopeNotices
    public_keys: PublicKeyCache
    http: requests.Session
    clock: Callable[[], float]
    limits: CallLimits

    def health(self) -> tuple[int, dict[str, str]]:
        """What /health answers: 200 when the database answers, 503 otherwise."""
        try:
            self.store.check()
        except Exception:
            log.exception("Health check: the database is unreachable")
            return 503, {"status": "error", "database": "unreachable"}
        return 200, {"status": "ok", "database": "ok"}


def build_services(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    limits: CallLimits | None = None,
    http: requests.Session | None = None,
) -> Services:
    engine = create_database_engine(settings.database_url)
    return Services(
        settings=settings,
        engine=engine,
        store=SqlTokenStore(engine, TokenCipher(settings.token_encryption_keys)),
        sessions=SessionStore(engine, settings.secret_key, clock, require_user=settings.uses_openid),
        users=UserStore(engine, clock),
        notices=ScopeNotices(engine, clock),
        public_keys=PublicKeyCache(),
        http=http or build_pim_session(exact_hosts(settings.allowed_pim_hosts)),
        clock=clock,
        limits=limits or CallLimits(),
    )
