"""The dashboard's view of the App's copy of each PIM: products synced, last sync, running or failed, and
{% if cookiecutter.background_jobs -%}
"Sync now" (a CSRF-protected POST that queues a sync).
{%- else -%}
how to sync (`make sync`: this App has no background jobs).
{%- endif %}
"""

import re
from datetime import timedelta

from {{ cookiecutter.package_name }}.sync_store import SyncStore
{%- if cookiecutter.background_jobs %}

from tests.support.stack import running_stack
{%- endif %}


def sync_block(page_text: str) -> str:
    pattern = r'<div class="sync" data-sync-state="(\w+)">(.*?)</div>\s*<form class="forget"'
    match = re.search(pattern, page_text, re.S)
    assert match, page_text
    return match.group(0)


def state_of(page_text: str) -> str:
    match = re.search(r'data-sync-state="(\w+)"', sync_block(page_text))
    assert match
    return match.group(1)


def test_a_pim_never_synced_says_so(stack):
    page = stack.connect(stack.browser())
    block = sync_block(page.text)
    assert state_of(page.text) == "never"
    assert '<dd class="synced-count">0</dd>' in block
    assert "never" in block


def test_after_a_sync_the_card_shows_the_count_and_when(stack):
    browser = stack.browser()
    stack.connect(browser)
    assert stack.command("sync").exit_code == 0
    page = browser.get(f"{stack.app_url}/")
    block = sync_block(page.text)
    assert state_of(page.text) == "synced"
    assert '<dd class="synced-count">300</dd>' in block
    assert "<time datetime=" in block


def test_a_failed_sync_shows_why(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("faults", {"rate_limit": {"count": 1000, "retry_after": 60}})
    assert stack.command("sync").exit_code == 1
    stack.control("faults", {"rate_limit": None})
    block = sync_block(browser.get(f"{stack.app_url}/").text)
    assert 'data-sync-state="failed"' in block
    assert "The last sync failed: the PIM did not answer" in block


def test_a_sync_in_progress_shows_as_running(stack):
    browser = stack.browser()
    stack.connect(browser)
    # Another process holds the lease: what the dashboard shows while a worker syncs.
    SyncStore(stack.services.engine).claim(stack.pim_url, "worker-host:1:x", full=False, margin=timedelta(0))
    block = sync_block(browser.get(f"{stack.app_url}/").text)
    assert 'data-sync-state="running"' in block
    assert "A full sync is running: 0 products so far" in block
{%- if cookiecutter.background_jobs %}


def csrf_of(page_text: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page_text)
    assert match
    return match.group(1)


def test_sync_now_queues_a_sync_that_fills_the_card(tmp_path):
    # The job runs inside the request here (Huey's immediate mode); tests/jobs runs it in a real worker.
    with running_stack(tmp_path, run_jobs_here=True) as stack:
        browser = stack.browser()
        page = stack.connect(browser)
        assert 'action="/sync"' in page.text
        answer = browser.post(
            f"{stack.app_url}/sync", data={"pim_url": stack.pim_url, "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 200
        assert answer.url == f"{stack.app_url}/"
        assert '<dd class="synced-count">300</dd>' in sync_block(answer.text)


def test_sync_now_without_the_csrf_token_is_refused(tmp_path):
    with running_stack(tmp_path, run_jobs_here=True) as stack:
        browser = stack.browser()
        stack.connect(browser)
        forged = {"pim_url": stack.pim_url, "csrf_token": "forged"}
        answer = browser.post(f"{stack.app_url}/sync", data=forged)
        assert answer.status_code == 403
        assert stack.services.sync_store.status(stack.pim_url).products == 0


def test_sync_now_for_a_pim_this_browser_cannot_see_is_refused(tmp_path):
    with running_stack(tmp_path, run_jobs_here=True) as stack:
        stack.connect(stack.browser())
        stranger = stack.browser()
        # An activation begun but never finished: a session of its own, with no PIM to see.
        stranger.get(stack.activate_url(), params={"pim_url": stack.pim_url}, allow_redirects=False)
        page = stranger.get(f"{stack.app_url}/")
        answer = stranger.post(
            f"{stack.app_url}/sync", data={"pim_url": stack.pim_url, "csrf_token": csrf_of(page.text)}
        )
        assert answer.status_code == 403
        assert stack.services.sync_store.status(stack.pim_url).products == 0
{%- else %}


def test_without_background_jobs_the_card_points_to_make_sync(stack):
    page = stack.connect(stack.browser())
    assert "<code>make sync</code>" in sync_block(page.text)
    assert 'action="/sync"' not in page.text
{%- endif %}


def test_forgetting_a_pim_deletes_its_copy(stack):
    browser = stack.browser()
    page = stack.connect(browser)
    assert stack.command("sync").exit_code == 0
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    browser.post(f"{stack.app_url}/forget", data={"pim_url": stack.pim_url, "csrf_token": csrf})
    assert stack.services.sync_store.status(stack.pim_url).products == 0
