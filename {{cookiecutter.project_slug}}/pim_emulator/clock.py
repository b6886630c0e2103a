"""Time sources. Everything time-bound in the emulator (codes, id_tokens) reads an injected clock."""

import time
from collections.abc import Callable

Clock = Callable[[], float]

system_clock: Clock = time.time


class ManualClock:
    """A clock that only moves when told to, so tests can expire codes without sleeping."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
