"""The background jobs in a real worker process (`python -m <package> worker`, Huey's consumer): on the
SQLite queue file, and on a real Redis. Syncs queued from the App run there, one per PIM at a time, and a
worker killed mid-sync then started again finishes the sync with every product written exactly once."""

import os
import signal
import uuid

import pytest
import redis

from tests.support.app_process import WAIT_SECONDS, app_process, wait_for
from tests.support.stack import running_stack

# The Redis these tests may use; each test has a queue of its own there (parallel runs share the database).
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/11")

pytestmark = pytest.mark.slow


@pytest.fixture(params=["sqlite-queue", "redis"])
def queue_settings(request, tmp_path):
    """Settings for the queue: the SQLite file of the test, then Redis (skipped when none answers)."""
    if request.param == "sqlite-queue":
        yield {"jobs_queue_file": str(tmp_path / "jobs.sqlite3")}
        return
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"REQUIRE_REDIS=1 but Redis at {TEST_REDIS_URL} does not answer: {error}")
        pytest.skip(f"no Redis at {TEST_REDIS_URL} ({error}); set TEST_REDIS_URL or start one")
    name = f"test-{uuid.uuid4().hex}"
    yield {"redis_url": TEST_REDIS_URL, "jobs_queue_name": name}
    keys = list(client.scan_iter(match=f"*{name}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_a_sync_queued_by_the_app_runs_in_the_worker(tmp_path, queue_settings):
    with running_stack(tmp_path, **queue_settings) as stack:
        stack.connect(stack.browser())
        status = lambda: stack.services.sync_store.status(stack.pim_url)  # noqa: E731
        with app_process(stack, tmp_path, "worker") as worker:
            stack.services.queue.enqueue_sync(stack.pim_url)
            wait_for(lambda: status().state == "synced", "sync done by the worker", worker)
        assert status().products == 300


def test_two_syncs_queued_for_one_pim_run_one_at_a_time(tmp_path):
    with running_stack(tmp_path, product_count=1000) as stack:
        stack.connect(stack.browser())
        status = lambda: stack.services.sync_store.status(stack.pim_url)  # noqa: E731
        stack.control("faults", {"latency_ms": 200})  # about 2 s: the second job starts while the first runs
        stack.services.queue.enqueue_sync(stack.pim_url)
        stack.services.queue.enqueue_sync(stack.pim_url)
        with app_process(stack, tmp_path, "worker", "--workers", "2") as worker:
            log = tmp_path / "worker.log"
            wait_for(lambda: "is already running" in log.read_text(), "the second job skipped", worker)
            wait_for(lambda: status().state == "synced", "the first job done", worker)
        assert status().products == 1000
        assert log.read_text().count("products written") == 1


def test_a_killed_worker_restarted_finishes_the_sync_with_every_product_once(tmp_path, queue_settings):
    products = 3000
    with running_stack(tmp_path, product_count=products, **queue_settings) as stack:
        stack.connect(stack.browser())
        status = lambda: stack.services.sync_store.status(stack.pim_url)  # noqa: E731
        stack.control("faults", {"latency_ms": 100})
        stack.services.queue.enqueue_sync(stack.pim_url)
        with app_process(stack, tmp_path, "worker") as first:
            wait_for(lambda: status().run_written >= 500, "a first batch committed", first)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=WAIT_SECONDS)
        assert status().state == "interrupted"
        stack.control("faults", {"latency_ms": 0})
        # Nothing queued any more (Huey took the job when it started it): the new worker resumes it itself.
        with app_process(stack, tmp_path, "worker") as second:
            wait_for(lambda: status().state == "synced", "the resumed sync done", second)
        done = status()
        assert done.products == products
        assert f"{products:,} products written" in (tmp_path / "worker.log").read_text()
