"""Activations in flight in one browser: `state` → PIM URL, kept in the browser's signed session.

Several can be pending at once (two PIM tabs), each state is single use, and states are compared in constant
time so a guess leaks nothing through timing.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

STATE_BYTES = 32  # 256 bits; the brief asks for at least 128
PENDING_LIFETIME = 30 * 60  # seconds: the consent wizard can take a person a while
MAX_PENDING = 8  # keeps the session cookie small; the oldest is dropped first


class StateProblem(Enum):
    MISSING = "missing"
    UNKNOWN = "unknown"
    EXPIRED = "expired"


class StateError(Exception):
    def __init__(self, problem: StateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class PendingActivation:
    pim_url: str
    started_at: float


class PendingActivations:
    """Wraps the plain dict stored in the session: {state: {"pim_url": …, "started_at": …}}."""

    def __init__(self, stored: Mapping[str, Mapping[str, object]] | None = None) -> None:
        self._entries: dict[str, PendingActivation] = {}
        for state, entry in (stored or {}).items():
            pim_url, started_at = entry.get("pim_url"), entry.get("started_at")
            if isinstance(pim_url, str) and isinstance(started_at, int | float):
                self._entries[state] = PendingActivation(pim_url, float(started_at))

    def start(self, pim_url: str, now: float) -> str:
        self._drop_expired(now)
        state = secrets.token_urlsafe(STATE_BYTES)
        self._entries[state] = PendingActivation(pim_url, now)
        while len(self._entries) > MAX_PENDING:
            oldest = min(self._entries, key=lambda key: self._entries[key].started_at)
            del self._entries[oldest]
        return state

    def consume(self, state: str | None, now: float) -> PendingActivation:
        """The activation this state belongs to, removed so the state cannot be replayed."""
        if not state:
            raise StateError(StateProblem.MISSING)
        match = None
        for known in list(self._entries):
            # Compare against every entry so the time taken does not depend on which one matches.
            if hmac.compare_digest(known.encode(), state.encode()):
                match = known
        if match is None:
            raise StateError(StateProblem.UNKNOWN)
        pending = self._entries.pop(match)
        if now - pending.started_at > PENDING_LIFETIME:
            raise StateError(StateProblem.EXPIRED)
        return pending

    def to_session(self) -> dict[str, dict[str, object]]:
        return {
            state: {"pim_url": entry.pim_url, "started_at": entry.started_at}
            for state, entry in self._entries.items()
        }

    def __len__(self) -> int:
        return len(self._entries)

    def _drop_expired(self, now: float) -> None:
        for state, entry in list(self._entries.items()):
            if now - entry.started_at > PENDING_LIFETIME:
                del self._entries[state]
