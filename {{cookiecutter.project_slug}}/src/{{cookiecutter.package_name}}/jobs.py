"""Background jobs on Huey: the sync of a PIM, on demand ("Sync now"), every 15 minutes for every PIM (what
changed), and every night (everything, so products deleted in the PIM leave the App's copy too).

The queue lives in a SQLite file on this machine (nothing to run on a laptop), or on Redis when REDIS_URL is
set, where workers on any number of machines share it. `python -m <package> worker` (make worker) runs a
worker: Huey's consumer with these tasks. One sync per PIM at a time holds across every worker and machine:
the lease is a row of the App's database (sync_store), not a lock of one worker. A job whose PIM is already
syncing is skipped; one that fails for a passing reason (the PIM unreachable, 429, the database) is retried
with a growing delay, and resumes from its checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from huey import Huey, RedisHuey, SqliteHuey, crontab

from .product_sync import SyncFailed, sync_pim
from .sync_store import SyncBusy

if TYPE_CHECKING:
    from .services import Services
    from .settings import Settings

log = logging.getLogger(__name__)

RETRIES = 5
RETRY_DELAY = 30  # seconds before the first retry, doubled for each next one (30 s … 8 min)
RETRY_BACKOFF = 2
EVERY_PIM_SCHEDULE = crontab(minute="*/15")  # the periodic incremental sync of every connected PIM
# Every night (UTC): a full sync of every PIM, which also removes the products deleted in the PIM.
NIGHTLY_SCHEDULE = crontab(hour="3", minute="7")
POLL_SECONDS = 1.0  # how often an idle worker looks at the SQLite queue (Redis wakes it at once)


def create_huey(settings: Settings, *, immediate: bool = False) -> Huey:
    """Redis when REDIS_URL is set, else a SQLite file; `immediate` runs each job where it is enqueued."""
    if settings.redis_url:
        return RedisHuey(settings.jobs_queue_name, url=settings.redis_url, results=False, immediate=immediate)
    Path(settings.jobs_queue_file).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(
        settings.jobs_queue_name, filename=settings.jobs_queue_file, results=False, immediate=immediate
    )


class SyncJobs:
    """The App's jobs on one Huey: what the web layer enqueues and what the worker runs."""

    def __init__(self, huey: Huey, services: Callable[[], Services]) -> None:
        self.huey = huey
        self._services = services
        self._sync = huey.task(
            retries=RETRIES, retry_delay=RETRY_DELAY, retry_backoff=RETRY_BACKOFF, name="sync_pim"
        )(self._sync_pim)
        self._every_pim = huey.periodic_task(EVERY_PIM_SCHEDULE, name="sync_every_pim")(self._sync_every_pim)
        self._nightly = huey.periodic_task(NIGHTLY_SCHEDULE, name="full_sync_every_pim")(
            self._full_sync_every_pim
        )

    @property
    def where(self) -> str:
        """The queue, for people: Redis (without its password) or the SQLite file."""
        storage: Any = self.huey.storage
        if isinstance(self.huey, RedisHuey):
            options = storage.conn.connection_pool.connection_kwargs
            where = options.get("host", options.get("path", "?"))
            return f"Redis at {where}:{options.get('port', '')}/{options.get('db', 0)}"
        return f"SQLite file {storage.filename}"

    def waiting(self) -> int:
        """Jobs queued and not started yet; raises when the queue cannot be reached."""
        return int(self.huey.pending_count())

    def enqueue_sync(self, pim_url: str, *, full: bool = False) -> None:
        self._sync(pim_url, full)

    def resume_interrupted(self) -> list[str]:
        """Enqueue the runs a stopped worker left unfinished; they go on from their checkpoint."""
        pim_urls = self._services().sync_store.interrupted_pims()
        for pim_url in pim_urls:
            self.enqueue_sync(pim_url)
        return pim_urls

    def run_worker(self, workers: int) -> None:
        """Huey's consumer with these jobs, until SIGINT (finish the jobs at hand) or SIGTERM (stop now)."""
        consumer: Any = self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=True, max_delay=POLL_SECONDS
        )
        consumer.run()

    def _sync_pim(self, pim_url: str, full: bool) -> None:
        try:
            sync_pim(self._services(), pim_url, full=full)
        except SyncBusy as busy:
            log.info("Skipped: %s", busy)
        except SyncFailed as failure:
            if failure.transient:
                raise  # Huey retries it later; the run resumes from its checkpoint
            # Retrying cannot help (disconnected, refused, nonsense): recorded for the dashboard, done.

    def _sync_every_pim(self, full: bool = False) -> None:
        for connection in self._services().store.all():
            if connection.is_connected:
                self.enqueue_sync(connection.pim_url, full=full)

    def _full_sync_every_pim(self) -> None:
        self._sync_every_pim(full=True)
