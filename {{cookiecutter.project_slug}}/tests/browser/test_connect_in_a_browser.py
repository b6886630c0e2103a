"""A person in a real browser: the PIM emulator's App Store, Connect, consent, and the App's dashboard."""

import re

import pytest

from tests.support.app_settings import OPENID_SCOPES
from tests.support.stack import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # starts Chromium


@pytest.fixture
def stack(tmp_path):
    """Signing PIM users in, as a new project does by default."""
    with running_stack(tmp_path, auto_consent=False, scopes=OPENID_SCOPES) as running:
        yield running


def connect_and_allow(page, stack):
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_role("link", name="Connect").click()
    page.get_by_role("button", name="Allow and connect").click()
    page.wait_for_url(f"{stack.app_url}/")


def test_connect_then_allow_lands_on_the_dashboard_with_products(page, stack):
    connect_and_allow(page, stack)
    assert page.locator("tr.product").count() == 10
    assert page.locator(".badge.ok").inner_text() == "Connected"


def test_connect_signs_the_pim_user_in_and_shows_their_name(page, stack):
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_role("link", name="Connect").click()
    assert page.get_by_text("Your first and last name (Julia Stark)").is_visible()
    page.get_by_role("button", name="Allow and connect").click()
    page.wait_for_url(f"{stack.app_url}/")
    assert page.locator("p.user strong").inner_text() == "Julia Stark"
    assert page.locator(".signed-in strong").inner_text() == "Julia Stark"


def test_another_pim_user_opening_the_app_is_signed_in_as_themselves(page, stack):
    connect_and_allow(page, stack)
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_label("PIM user").select_option("sam")
    page.get_by_role("button", name="Switch user").click()
    page.get_by_role("link", name="Open app").click()
    # Sam consents to share his name and email (no wizard for the scopes: he may not manage Apps).
    page.get_by_role("button", name="Allow and connect").click()
    page.wait_for_url(f"{stack.app_url}/")
    assert page.locator("p.user strong").inner_text() == "Sam Rivera"
    assert page.locator("tr.product").count() == 10


def test_the_consent_page_lists_the_requested_scopes_in_words(page, stack):
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_role("link", name="Connect").click()
    assert re.search(r"products", page.content(), re.IGNORECASE)
    assert page.get_by_role("button", name="Allow and connect").is_visible()


def test_cancel_goes_back_to_the_app_store_and_never_reaches_the_app(page, stack):
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_role("link", name="Connect").click()
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url(f"{stack.pim_url}/connect/app-store")
    assert stack.store.get(stack.pim_url) is None
    assert stack.pim_state()["token_requests"] == 0


def test_open_app_on_a_connected_app_skips_the_consent(page, stack):
    connect_and_allow(page, stack)
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_role("link", name="Open app").click()
    page.wait_for_url(f"{stack.app_url}/")
    assert page.locator("tr.product").count() == 10


def test_disconnect_in_the_pim_then_reload_shows_reconnect(page, stack):
    connect_and_allow(page, stack)
    page.goto(f"{stack.pim_url}/connect/app-store")
    page.get_by_role("button", name="Disconnect").click()
    page.goto(f"{stack.app_url}/")
    assert page.locator(".badge.off").inner_text() == "Disconnected"
    assert page.get_by_role("link", name="Reconnect").is_visible()
