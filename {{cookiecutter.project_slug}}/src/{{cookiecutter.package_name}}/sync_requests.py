"""The dashboard's "Sync now": a signed-in browser asks for a sync of a PIM it may see; a worker runs it."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from . import failure_pages
from .activation import Outcome
from .browser_sessions import BrowserSession
from .services import Services

log = logging.getLogger(__name__)

QUEUE_UNAVAILABLE = failure_pages.Problem(
    title="The sync could not be queued",
    status=503,
    paragraphs=[
        "The App's job queue did not answer (REDIS_URL, or the queue file of JOBS_QUEUE_FILE). Nothing was "
        "lost: try again in a moment, or run make sync on the App's machine.",
    ],
    actions=[failure_pages.Action("Back to the dashboard", "/")],
)


def sync_now(services: Services, session: BrowserSession | None, form: Mapping[str, str]) -> Outcome:
    """POST /sync: queue an incremental sync of the PIM (a full one the first time); back to the dashboard."""
    pim_url = form.get("pim_url", "")
    if not services.sessions.csrf_ok(session, form.get("csrf_token")) or not services.sessions.may_see(
        session, pim_url
    ):
        return Outcome(problem=failure_pages.forbidden_form())
    connection = services.store.get(pim_url)
    if services.queue is not None and connection is not None and connection.is_connected:
        try:
            services.queue.enqueue_sync(pim_url)
        except Exception:  # Redis down, the queue file unwritable: say so instead of a bare 500
            log.exception("The sync of %s could not be queued", pim_url)
            return Outcome(problem=QUEUE_UNAVAILABLE)
        log.info("Sync of %s queued", pim_url)
    # A PIM disconnected in between: its card says so, with Reconnect.
    return Outcome(redirect="/")
