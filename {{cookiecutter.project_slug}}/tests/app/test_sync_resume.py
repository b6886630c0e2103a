"""A sync process killed mid-sync (SIGKILL: no cleanup of any kind), then started again, ends with every
product written exactly once: the checkpoint commits with its batch."""

import signal

import pytest

from tests.support.app_process import WAIT_SECONDS, app_process, wait_for
from tests.support.stack import running_stack

PRODUCTS = 3000


@pytest.mark.slow
def test_a_killed_sync_restarted_finishes_with_every_product_once(tmp_path, database_url):
    with running_stack(tmp_path, database_url=database_url, product_count=PRODUCTS) as stack:
        stack.connect(stack.browser())
        status = lambda: stack.services.sync_store.status(stack.pim_url)  # noqa: E731
        stack.control("faults", {"latency_ms": 100})  # about 3 s for the whole catalog: time to kill it
        with app_process(stack, tmp_path, "sync") as first:
            wait_for(lambda: status().run_written >= 500, "a first batch committed", first)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=WAIT_SECONDS)
        killed = status()
        assert killed.state == "interrupted"
        assert killed.products == killed.run_written < PRODUCTS

        stack.control("faults", {"latency_ms": 0})
        with app_process(stack, tmp_path, "sync") as second:
            assert second.wait(timeout=WAIT_SECONDS) == 0, (tmp_path / "sync.log").read_text()
        log = (tmp_path / "sync.log").read_text()
        assert f"full sync (resumed), {PRODUCTS:,} products written" in log
        done = status()
        assert (done.state, done.products) == ("synced", PRODUCTS)
