"""When AKENEO_SCOPES grows: the PIM is told once, the App asks once, and never loops.

Julia (the emulator's default user) may manage Apps: she gets the consent wizard (approved at once here) and
the App the new scopes. Sam may only open Apps: the PIM gives the App its old scopes back.
"""

import pytest

from {{ cookiecutter.package_name }}.scope_changes import ScopeNotices

from tests.support.app_settings import OPENID_SCOPES
from tests.support.stack import running_stack

GROWN = (*OPENID_SCOPES, "write_products")


@pytest.fixture
def stack(tmp_path):
    """Connected by Julia with OPENID_SCOPES; then the App restarts asking for write_products too."""
    with running_stack(tmp_path, scopes=OPENID_SCOPES, product_count=20) as running:
        running.browser_of_julia = running.browser()
        running.connect(running.browser_of_julia)
        yield running


def test_with_the_manage_right_the_next_visit_gets_the_new_scopes(stack):
    stack.restart_app(scopes=GROWN)
    page = stack.browser_of_julia.get(f"{stack.app_url}/")
    assert page.status_code == 200
    assert [r.status_code for r in page.history] == [302, 302, 302], "one authorize round trip"
    assert "write_products" in stack.store.get(stack.pim_url).scopes
    assert 'id="missing-scopes"' not in page.text
    assert stack.pim_state()["outdated_scopes"] is False


def test_without_the_manage_right_the_app_keeps_working_and_says_what_is_missing(stack):
    stack.sign_in_as("sam")
    sam = stack.browser()
    stack.connect(sam)
    stack.restart_app(scopes=GROWN)
    page = sam.get(f"{stack.app_url}/")
    assert page.status_code == 200
    assert 'id="missing-scopes"' in page.text
    assert "<code>write_products</code>" in page.text.split('id="missing-scopes"', 1)[1]
    assert "Grant the new permissions" in page.text
    assert page.text.count('class="product"') == 10
    assert "write_products" not in stack.store.get(stack.pim_url).scopes


def test_the_pim_is_told_about_the_new_scopes(stack):
    stack.sign_in_as("sam")
    sam = stack.browser()
    stack.connect(sam)
    stack.restart_app(scopes=GROWN)
    sam.get(f"{stack.app_url}/")
    state = stack.pim_state()
    assert state["outdated_scopes"] is True
    assert "write_products" in state["requested_scopes"]


def test_the_pim_is_told_once_not_on_every_page_load_nor_per_browser(stack):
    stack.sign_in_as("sam")
    browsers = [stack.browser(), stack.browser()]
    for browser in browsers:
        stack.connect(browser)
    stack.restart_app(scopes=GROWN)
    for browser in browsers * 2:
        browser.get(f"{stack.app_url}/")
    assert stack.pim_state()["scope_notices"] == 1


def test_without_the_manage_right_there_is_no_loop(stack):
    stack.sign_in_as("sam")
    sam = stack.browser()
    stack.connect(sam)
    stack.restart_app(scopes=GROWN)
    first = sam.get(f"{stack.app_url}/")
    assert len(first.history) == 3, "the one automatic re-authorize"
    token_requests = stack.pim_state()["token_requests"]
    for _ in range(3):
        again = sam.get(f"{stack.app_url}/")
        assert again.history == []
    assert stack.pim_state()["token_requests"] == token_requests


def test_a_visit_from_the_pim_counts_as_the_one_re_authorize(stack):
    stack.restart_app(scopes=GROWN)
    stack.sign_in_as("sam")
    sam = stack.browser()
    page = stack.connect(sam)  # Open app: authorize with the full list already
    assert len(page.history) == 3, "activate, authorize, callback, then the dashboard without asking again"
    assert 'id="missing-scopes"' in page.text


def test_grant_the_new_permissions_asks_again_with_the_full_list(stack):
    stack.sign_in_as("sam")
    browser = stack.browser()
    stack.connect(browser)
    stack.restart_app(scopes=GROWN)
    browser.get(f"{stack.app_url}/")
    stack.sign_in_as("julia")
    page = browser.get(f"{stack.app_url}/activate", params={"pim_url": stack.pim_url})
    assert 'id="missing-scopes"' not in page.text
    assert "write_products" in stack.store.get(stack.pim_url).scopes


def test_a_403_names_the_scope_the_app_lacks(tmp_path):
    with running_stack(tmp_path, scopes=("read_catalog_structure",), product_count=20) as stack:
        page = stack.connect(stack.browser())
        assert "not allowed to list products" in page.text
        assert "needs the read_products scope: add it to AKENEO_SCOPES" in page.text


def test_a_403_for_a_scope_asked_but_not_granted_says_so(tmp_path):
    with running_stack(tmp_path, scopes=("read_catalog_structure",), product_count=20) as stack:
        stack.connect(stack.browser())
        stack.sign_in_as("sam")
        stack.restart_app(scopes=("read_catalog_structure", "read_products"))
        page = stack.connect(stack.browser())
        assert (
            "needs the read_products scope, which the App asks for but this PIM has not granted" in page.text
        )
        assert "<code>read_products</code>" in page.text.split('id="missing-scopes"', 1)[1]


def test_the_notice_is_claimed_once_per_pim_and_scope_list(engine):
    notices = ScopeNotices(engine)
    pim = "https://acme.cloud.akeneo.com"
    assert notices.claim(pim, "read_products write_products")
    assert not notices.claim(pim, "read_products write_products")
    assert notices.claim("https://other.cloud.akeneo.com", "read_products write_products")
    assert notices.claim(pim, "read_products delete_products")
    notices.release(pim)
    assert notices.claim(pim, "read_products delete_products")


def test_sign_in_and_scope_growth_on_each_database(tmp_path, database_url):
    with running_stack(tmp_path, scopes=OPENID_SCOPES, product_count=20, database_url=database_url) as stack:
        browser = stack.browser()
        assert "Signed in as <strong>Julia Stark</strong>" in stack.connect(browser).text
        stack.sign_in_as("sam")
        stack.restart_app(scopes=GROWN)
        page = browser.get(f"{stack.app_url}/")
        assert 'id="missing-scopes"' in page.text
        assert browser.get(f"{stack.app_url}/").history == []
        assert stack.pim_state()["scope_notices"] == 1
