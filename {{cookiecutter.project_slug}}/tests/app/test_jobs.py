"""The background jobs' rules, with Huey running each job where it is queued (its immediate mode): what is
retried and when, what is not, and the periodic sync of every PIM. tests/app/test_worker.py runs them in a
real worker process."""

from datetime import UTC, datetime

import requests

from {{ cookiecutter.package_name }}.jobs import RETRIES, RETRY_DELAY

from tests.support.stack import running_stack


def test_a_sync_that_fails_for_a_passing_reason_is_retried_after_a_delay(tmp_path):
    with running_stack(tmp_path, run_jobs_here=True) as stack:
        stack.connect(stack.browser())
        stack.control("faults", {"rate_limit": {"count": 1000, "retry_after": 60}})
        queued_at = datetime.now(UTC).replace(tzinfo=None)  # Huey's etas are naive UTC
        stack.services.queue.enqueue_sync(stack.pim_url)
        [retry] = stack.services.queue.huey.scheduled()
        assert retry.retries == RETRIES - 1
        assert abs((retry.eta - queued_at).total_seconds() - RETRY_DELAY) < 5
        assert retry.retry_delay == 2 * RETRY_DELAY  # the next one waits twice as long
        assert stack.services.sync_store.status(stack.pim_url).state == "failed"


def test_a_sync_that_waiting_cannot_fix_is_not_retried(tmp_path):
    with running_stack(tmp_path, run_jobs_here=True) as stack:
        stack.connect(stack.browser())
        stack.control("disconnect")
        stack.services.queue.enqueue_sync(stack.pim_url)
        assert stack.services.queue.huey.scheduled() == []
        assert not stack.store.get(stack.pim_url).is_connected


def test_the_periodic_job_syncs_every_connected_pim_and_skips_the_others(tmp_path):
    with running_stack(tmp_path, run_jobs_here=True) as stack:
        stack.connect(stack.browser())
        stack.store.save("https://gone.cloud.akeneo.com", "T" * 86, ("read_products",))
        stack.store.mark_disconnected("https://gone.cloud.akeneo.com")
        stack.services.queue._every_pim()
        assert stack.services.sync_store.status(stack.pim_url).products == 300
        assert stack.services.sync_store.status("https://gone.cloud.akeneo.com").state == "never"


def test_the_nightly_job_removes_the_products_deleted_in_the_pim(tmp_path):
    scopes = ("read_products", "delete_products")
    with running_stack(tmp_path, run_jobs_here=True, scopes=scopes) as stack:
        stack.connect(stack.browser())
        stack.services.queue._every_pim()
        token = stack.store.get(stack.pim_url).access_token
        headers = {"Authorization": f"Bearer {token}"}
        page = requests.get(f"{stack.pim_url}/api/rest/v1/products-uuid", headers=headers, timeout=10).json()
        gone = page["_embedded"]["items"][0]["uuid"]
        url = f"{stack.pim_url}/api/rest/v1/products-uuid/{gone}"
        assert requests.delete(url, headers=headers, timeout=10).status_code == 204
        stack.services.queue._every_pim()
        assert stack.services.sync_store.status(stack.pim_url).products == 300  # what changed: no deletion
        stack.services.queue._nightly()
        assert stack.services.sync_store.status(stack.pim_url).products == 299
