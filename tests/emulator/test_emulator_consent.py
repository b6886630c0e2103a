"""When the PIM shows a consent screen, and what Allow and Cancel do."""

import re
from html import unescape

from emulator_support import CALLBACK_URL, CLIENT_ID

CONSENT = "/connect/apps/authorize?client_id=" + CLIENT_ID
AUTHENTICATE = "/connect/apps/authenticate?client_id=" + CLIENT_ID


def location(response):
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def test_first_connection_asks_for_consent(emulator):
    assert location(emulator.authorize("read_products")) == CONSENT


def test_consent_page_lists_scopes_in_words_collapsed_to_the_highest_level(emulator):
    emulator.authorize("read_products write_products read_categories")

    html = emulator.page(CONSENT).text

    assert "Edit products" in html
    assert "Read categories" in html
    assert "Read products" not in html


def test_consent_page_says_what_profile_and_email_share(emulator):
    emulator.authorize("openid profile email read_products")

    html = emulator.page(CONSENT).text

    assert "Julia Stark" in html
    assert "julia@example.com" in html


def test_allow_connects_the_app_and_redirects_to_the_callback_with_a_code(emulator):
    emulator.authorize("read_products", state="xyz")

    response = emulator.allow()

    assert location(response).startswith(CALLBACK_URL + "?code=")
    assert location(response).endswith("&state=xyz")
    state = emulator.state()
    assert state["connected"] is True
    assert state["granted_scopes"] == ["read_products"]


def test_cancel_returns_to_the_app_store_and_never_reaches_the_callback(emulator):
    emulator.authorize("read_products")
    html = emulator.page(CONSENT).text
    cancel = unescape(re.search(r'<a class="button" href="([^"]+)">Cancel</a>', html).group(1))

    response = emulator.page(cancel)

    assert cancel == "/connect/app-store"
    assert response.status_code == 200
    assert emulator.state()["connected"] is False


def test_allow_without_a_pending_authorization_is_an_error_page(emulator):
    response = emulator.allow()

    assert response.status_code == 400
    assert emulator.state()["connected"] is False


def test_pending_authorization_lives_in_the_browser_session(emulator):
    emulator.authorize("read_products")
    other_browser = type(emulator)(emulator.url, emulator.clock, emulator.config)

    assert other_browser.allow().status_code == 400
    assert location(emulator.allow()).startswith(CALLBACK_URL)


def test_a_pending_authorization_is_used_once(emulator):
    emulator.authorize("read_products")
    emulator.allow()

    assert emulator.allow().status_code == 400


def test_same_scopes_again_redirect_at_once(emulator):
    emulator.connect("read_products write_catalog_structure")

    response = emulator.authorize("write_catalog_structure read_products")

    assert location(response).startswith(CALLBACK_URL + "?code=")


def test_fewer_scopes_redirect_at_once_and_replace_the_granted_ones(emulator):
    emulator.connect("read_products read_categories")

    response = emulator.authorize("read_products")

    assert location(response).startswith(CALLBACK_URL)
    assert emulator.state()["granted_scopes"] == ["read_products"]


def test_new_scopes_ask_for_consent(emulator):
    emulator.connect("read_products")

    assert location(emulator.authorize("read_products read_categories")) == CONSENT


def test_a_write_scope_is_new_when_only_read_was_granted(emulator):
    emulator.connect("read_products")

    assert location(emulator.authorize("write_products")) == CONSENT


def test_read_is_not_new_when_write_was_granted_and_it_replaces_write(emulator):
    emulator.connect("write_products")

    response = emulator.authorize("read_products")

    assert location(response).startswith(CALLBACK_URL)
    assert emulator.state()["granted_scopes"] == ["read_products"]


def test_delete_implies_write_and_read(emulator):
    emulator.connect("delete_products")

    assert location(emulator.authorize("write_products read_products")).startswith(CALLBACK_URL)


def test_consent_page_for_new_scopes_marks_them_new(emulator):
    emulator.connect("read_categories")
    emulator.authorize("read_categories write_products")

    html = emulator.page(CONSENT).text

    assert re.search(r"Edit products\s*<span class=\"new\">new</span>", html)
    assert not re.search(r"Read categories\s*<span class=\"new\">", html)


def test_openid_alone_needs_no_new_consent(emulator):
    emulator.connect("read_products")

    assert location(emulator.authorize("openid read_products")).startswith(CALLBACK_URL)


def test_newly_requested_profile_asks_for_consent_on_the_authentication_screen(emulator):
    emulator.connect("openid read_products")

    assert location(emulator.authorize("openid profile read_products")) == AUTHENTICATE


def test_newly_requested_email_asks_for_consent(emulator):
    emulator.connect("openid profile read_products")

    assert location(emulator.authorize("openid profile email read_products")) == AUTHENTICATE


def test_authentication_screen_allow_redirects_with_a_code(emulator):
    emulator.connect("openid read_products")
    emulator.authorize("openid email read_products", state="s1")

    assert "julia@example.com" in emulator.page(AUTHENTICATE).text
    assert location(emulator.allow()).startswith(CALLBACK_URL + "?code=")
    assert emulator.state()["authentication_scopes"] == ["email", "openid"]


def test_consented_profile_is_not_asked_again(emulator):
    emulator.connect("openid profile read_products")

    assert location(emulator.authorize("openid profile read_products")).startswith(CALLBACK_URL)


def test_profile_without_openid_needs_no_consent(emulator):
    emulator.connect("read_products")

    assert location(emulator.authorize("profile email read_products")).startswith(CALLBACK_URL)


def test_authorize_without_openid_resets_the_openid_consent(emulator):
    emulator.connect("openid profile read_products")

    emulator.authorize("read_products")

    assert emulator.state()["authentication_scopes"] == []
    assert location(emulator.authorize("openid profile read_products")) == AUTHENTICATE


def test_opening_the_app_clears_the_outdated_scopes_flag(emulator):
    token = emulator.token("read_products")
    emulator.browser.post(
        f"{emulator.url}/connect/apps/v1/scopes/update",
        params={"scopes": "read_products read_categories"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert emulator.state()["outdated_scopes"] is True

    emulator.authorize("read_products")

    assert emulator.state()["outdated_scopes"] is False


def test_auto_consent_approves_the_first_connection_at_once(make_emulator):
    emulator = make_emulator(auto_consent=True)

    response = emulator.authorize("openid profile read_products", state="s")

    assert location(response).startswith(CALLBACK_URL + "?code=")
    assert emulator.state()["connected"] is True
    assert emulator.state()["authentication_scopes"] == ["openid", "profile"]


def test_auto_consent_approves_new_scopes_at_once(make_emulator):
    emulator = make_emulator(auto_consent=True)
    emulator.connect("read_products")

    response = emulator.authorize("write_products")

    assert location(response).startswith(CALLBACK_URL)
    assert emulator.state()["granted_scopes"] == ["write_products"]
