"""The App Store page: the App's card, its Connect / Open app / Disconnect buttons, the signed-in user."""

import re
from html import unescape

from pim_emulator.urls import add_query

from emulator_support import APP_URL, CLIENT_ID


def activate_links(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]*/activate[^"]*)"', html)]


def test_root_redirects_to_the_app_store(emulator):
    response = emulator.page("/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/connect/app-store")


def test_app_store_shows_the_app_card_not_connected(emulator):
    html = emulator.page("/connect/app-store").text

    assert "Your App" in html
    assert f"{APP_URL}/activate" in html
    assert f"{APP_URL}/callback" in html
    assert "Not connected" in html
    assert ">Connect</a>" in html
    assert "Open app" not in html
    assert "Disconnect" not in html


def test_app_name_comes_from_the_config(make_emulator):
    emulator = make_emulator(app_name="Shop Sync")

    assert "Shop Sync" in emulator.page("/connect/app-store").text


def test_header_shows_the_signed_in_user(emulator):
    html = emulator.page("/connect/app-store").text

    assert "Julia Stark" in html
    assert "julia@example.com" in html


def test_connect_goes_to_the_activate_url_with_only_the_encoded_pim_url(emulator):
    html = emulator.page("/connect/app-store").text
    port = emulator.url.rsplit(":", 1)[1]

    # PHP http_build_query encoding: ":" -> %3A, "/" -> %2F; no other parameter.
    assert activate_links(html) == [f"{APP_URL}/activate?pim_url=http%3A%2F%2F127.0.0.1%3A{port}"]


def test_activate_url_with_a_query_gets_pim_url_appended_with_an_ampersand():
    url = add_query("https://app.example.test/activate?tenant=7", {"pim_url": "https://pim.test"})

    assert url == "https://app.example.test/activate?tenant=7&pim_url=https%3A%2F%2Fpim.test"


def test_connected_app_shows_open_app_disconnect_scopes_and_since(emulator):
    emulator.connect("read_products write_catalog_structure")

    html = emulator.page("/connect/app-store").text

    assert "Connected" in html
    assert "Connected since" in html
    assert "Edit catalog structure" in html
    assert "Read products" in html
    assert "read_products write_catalog_structure" in html
    assert "Open app" in html
    assert 'action="/connect/app-store/disconnect"' in html
    assert ">Connect</a>" not in html


def test_open_app_uses_exactly_the_connect_url(emulator):
    before = activate_links(emulator.page("/connect/app-store").text)
    emulator.connect()

    assert activate_links(emulator.page("/connect/app-store").text) == before


def test_disconnect_button_disconnects_and_returns_to_the_app_store(emulator):
    emulator.connect()

    response = emulator.browser.post(
        f"{emulator.url}/connect/app-store/disconnect", allow_redirects=False, timeout=10
    )

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/connect/app-store")
    assert emulator.state()["connected"] is False


def test_fault_form_sets_faults(emulator):
    response = emulator.browser.post(
        f"{emulator.url}/connect/app-store/faults",
        data={"rate_limit_count": "3", "retry_after": "2", "token_endpoint": "fail", "latency_ms": "5"},
        allow_redirects=False,
        timeout=10,
    )

    assert response.status_code == 303
    faults = emulator.state()["faults"]
    assert faults["rate_limit"] == {"count": 3, "retry_after": 2}
    assert faults["token_endpoint"] == "fail"
    assert faults["latency_ms"] == 5


def test_fault_form_clear_button_clears_faults(emulator):
    emulator.control("faults", {"rate_limit": {"count": 3}, "token_endpoint": "hang"})

    emulator.browser.post(f"{emulator.url}/connect/app-store/faults", data={"action": "clear"}, timeout=10)

    faults = emulator.state()["faults"]
    assert faults["rate_limit"] is None
    assert faults["token_endpoint"] is None


def test_fault_form_sets_and_clears_an_id_token_fault(emulator):
    emulator.browser.post(
        f"{emulator.url}/connect/app-store/faults", data={"id_token": "expired"}, timeout=10
    )
    assert emulator.state()["faults"]["id_token"] == "expired"
    assert "id_token: expired" in emulator.page("/connect/app-store").text

    emulator.browser.post(f"{emulator.url}/connect/app-store/faults", data={"action": "clear"}, timeout=10)
    assert emulator.state()["faults"]["id_token"] is None


def test_the_rotate_key_button_publishes_a_new_certificate(emulator):
    def certificate():
        return emulator.browser.get(f"{emulator.url}/connect/apps/v1/openid/public-key", timeout=10).json()

    before = certificate()

    response = emulator.browser.post(f"{emulator.url}/connect/app-store/rotate-key", timeout=10)

    assert "New OpenID signing key" in response.text
    assert certificate() != before


def test_fault_form_rejects_non_numbers_with_a_message(emulator):
    response = emulator.browser.post(
        f"{emulator.url}/connect/app-store/faults", data={"latency_ms": "slow"}, timeout=10
    )

    assert "latency_ms must be a number" in response.text
    assert emulator.state()["faults"]["latency_ms"] == 0


def test_session_cookie_has_its_own_name(emulator):
    emulator.authorize("read_products")

    assert "pim_emulator_session" in emulator.browser.cookies.get_dict()
    assert "session" not in emulator.browser.cookies.get_dict()


def test_the_app_store_lists_the_registered_client_id(emulator):
    assert CLIENT_ID in emulator.page("/connect/app-store").text
