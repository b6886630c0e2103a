"""How a sync shows its progress: a bar with counts and rate on a terminal (tqdm), log lines elsewhere."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import IO, Any, Protocol

from tqdm import tqdm

from .sync_store import Run

log = logging.getLogger(__name__)


class Progress(Protocol):
    def started(self, run: Run) -> None: ...

    def advanced(self, count: int, total: int) -> None:
        """`count` more products written; `total` for the whole run so far."""
        ...

    def ended(self) -> None: ...


def describe(run: Run) -> str:
    kind = "full" if run.since is None else f"incremental, updated after {run.since:%Y-%m-%d %H:%M:%S} UTC"
    resumed = f", resumed after {run.written:,} products" if run.resumed else ""
    return f"{run.pim_url} ({kind}{resumed})"


class LogProgress:
    """A log line at the start, then every `every` products: for logs, workers and pipes."""

    def __init__(self, every: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._started = 0.0
        self._logged = 0
        self._run: Run | None = None

    def started(self, run: Run) -> None:
        self._run = run
        self._started = self._clock()
        self._logged = run.written
        log.info("Sync of %s started", describe(run))

    def advanced(self, count: int, total: int) -> None:
        if self._run is None or total - self._logged < self._every:
            return
        rate = (total - self._run.written) / max(self._clock() - self._started, 1e-6)
        self._logged = total
        log.info("Sync of %s: %s products so far, %.0f a second", self._run.pim_url, f"{total:,}", rate)

    def ended(self) -> None:
        pass


class BarProgress:
    """tqdm's bar on a terminal: products written, elapsed time and products per second."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._bar: tqdm[Any] | None = None

    def started(self, run: Run) -> None:
        print(f"Syncing {describe(run)}", file=self._stream)
        self._bar = tqdm(
            initial=run.written, unit=" products", unit_scale=True, file=self._stream, dynamic_ncols=True
        )

    def advanced(self, count: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(count)

    def ended(self) -> None:
        if self._bar is not None:
            self._bar.close()
