"""The whole activation over real HTTP: the App, the local PIM emulator and a browser's cookie jar."""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.support.stack import running_stack


def query_of(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def test_connect_ends_on_the_dashboard_with_products(stack):
    page = stack.connect(stack.browser())
    assert page.status_code == 200
    assert page.url == f"{stack.app_url}/"
    assert page.text.count('class="product"') == 10


def test_connect_stores_the_token_and_the_granted_scopes(stack):
    stack.connect(stack.browser())
    connection = stack.store.get(stack.pim_url)
    assert connection.is_connected
    assert len(connection.access_token) == 86
    assert connection.scopes == ("read_catalog_structure", "read_products")


def test_activate_redirects_to_the_pims_authorize_endpoint(stack):
    response = stack.browser().get(
        stack.activate_url(), params={"pim_url": stack.pim_url + "/"}, allow_redirects=False
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{stack.pim_url}/connect/apps/v1/authorize?")
    query = query_of(location)
    assert query["response_type"] == "code"
    assert query["client_id"] == stack.services.settings.client_id
    assert query["scope"] == "read_products read_catalog_structure"
    assert len(query["state"]) >= 22


def test_the_session_cookie_is_httponly_and_samesite_lax(stack):
    response = stack.browser().get(
        stack.activate_url(), params={"pim_url": stack.pim_url}, allow_redirects=False
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # the App runs on plain http here


@pytest.mark.parametrize(
    "pim_url",
    [
        "",
        "ftp://localhost",
        "https://evil.example.com",
        "http://user:pw@localhost",
        "http://localhost#x",
        # A backslash or its fullwidth form: browsers and urllib3 take it as the start of the path.
        "https://evil.com\\.cloud.akeneo.com",
        "https://evil.com\uff3c.cloud.akeneo.com",
        "https://a.b.cloud.akeneo.com",
        # Bad DNS labels once gave a 500.
        "https://a..cloud.akeneo.com",
        "https://.cloud.akeneo.com",
        "https://" + "a" * 64 + ".cloud.akeneo.com",
        "https://\u200b.cloud.akeneo.com",
    ],
)
def test_a_rejected_pim_url_gets_a_400_page_and_no_redirect(stack, pim_url):
    response = stack.browser().get(stack.activate_url(), params={"pim_url": pim_url}, allow_redirects=False)
    assert response.status_code == 400
    assert "This PIM address cannot be used" in response.text


def test_a_pim_url_given_twice_is_refused(stack):
    response = stack.browser().get(
        f"{stack.activate_url()}?pim_url={stack.pim_url}&pim_url=https://evil.example.com",
        allow_redirects=False,
    )
    assert response.status_code == 400


def test_a_callback_with_a_forged_state_is_refused_and_stores_nothing(stack):
    browser = stack.browser()
    callback = stack.callback_url_from_pim(browser)
    forged = callback.replace(f"state={query_of(callback)['state']}", "state=forged")
    response = browser.get(forged)
    assert response.status_code == 400
    assert "cannot be trusted" in response.text
    assert stack.store.get(stack.pim_url) is None


def test_a_callback_without_state_is_refused(stack):
    browser = stack.browser()
    code = query_of(stack.callback_url_from_pim(browser))["code"]
    response = browser.get(f"{stack.app_url}/callback", params={"code": code})
    assert response.status_code == 400
    assert stack.store.get(stack.pim_url) is None


def test_a_callback_from_another_browser_is_refused(stack):
    callback = stack.callback_url_from_pim(stack.browser())
    response = stack.browser().get(callback)
    assert response.status_code == 400
    assert stack.store.get(stack.pim_url) is None


def test_a_replayed_callback_is_refused(stack):
    browser = stack.browser()
    callback = stack.callback_url_from_pim(browser)
    assert browser.get(callback).status_code == 200
    replay = browser.get(callback)
    assert replay.status_code == 400
    assert "cannot be trusted" in replay.text


def test_a_cookie_captured_before_the_callback_cannot_replay_it(stack):
    browser = stack.browser()
    callback = stack.callback_url_from_pim(browser)
    captured = browser.cookies.copy()
    assert browser.get(callback).status_code == 200
    attacker = stack.browser()
    attacker.cookies.update(captured)
    replay = attacker.get(callback)
    assert replay.status_code == 400
    assert stack.pim_state()["token_requests"] == 1
    dashboard = attacker.get(f"{stack.app_url}/")
    assert 'class="product"' not in dashboard.text, "the session got a new id at the callback"


def test_the_session_cookie_stays_small_however_many_activations_start(stack):
    browser = stack.browser()
    padded = stack.pim_url + "/" + "p" * 450
    for _ in range(40):
        browser.get(stack.activate_url(), params={"pim_url": padded}, allow_redirects=False)
    assert sum(len(cookie.value) for cookie in browser.cookies) < 200
    assert browser.get(f"{stack.app_url}/").status_code == 200


def test_signing_out_ends_the_session(stack):
    browser = stack.browser()
    page = stack.connect(browser)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    out = browser.post(f"{stack.app_url}/sign-out", data={"csrf_token": csrf})
    assert "Not connected to a PIM yet" in out.text
    assert stack.store.get(stack.pim_url).is_connected, "signing out does not disconnect the App"


def test_two_activations_in_flight_in_one_browser_both_succeed(stack):
    browser = stack.browser()
    first = stack.callback_url_from_pim(browser)
    second = stack.callback_url_from_pim(browser)
    assert browser.get(second).status_code == 200
    assert browser.get(first).status_code == 200


def test_a_callback_without_code_gets_its_page(stack):
    browser = stack.browser()
    state = query_of(stack.callback_url_from_pim(browser))["state"]
    response = browser.get(f"{stack.app_url}/callback", params={"state": state})
    assert response.status_code == 400
    assert "no authorization code" in response.text


def test_an_expired_code_gets_a_page_that_offers_to_start_again(stack):
    browser = stack.browser()
    callback = stack.callback_url_from_pim(browser)
    stack.pim_clock.advance(31)
    response = browser.get(callback)
    assert response.status_code == 400
    assert "expired" in response.text
    assert "30 seconds" in response.text
    assert "/activate?pim_url=" in response.text
    assert stack.store.get(stack.pim_url) is None


def test_a_code_used_twice_gets_the_not_valid_page(stack):
    browser = stack.browser()
    first = stack.callback_url_from_pim(browser)
    assert browser.get(first).status_code == 200
    second = stack.callback_url_from_pim(browser)
    replayed_code = second.replace(f"code={query_of(second)['code']}", f"code={query_of(first)['code']}")
    response = browser.get(replayed_code)
    assert response.status_code == 400
    assert "not valid" in response.text
    assert "used already" in response.text


def test_a_wrong_client_secret_gets_the_credentials_page(tmp_path):
    with running_stack(tmp_path, client_secret="not-the-secret") as stack:
        response = stack.connect(stack.browser())
        assert response.status_code == 502
        assert "client secret" in response.text
        assert "regenerated" in response.text
        assert stack.store.get(stack.pim_url) is None


def test_a_failing_token_endpoint_gets_a_502_page(stack):
    stack.control("faults", {"token_endpoint": "fail"})
    response = stack.connect(stack.browser())
    assert response.status_code == 502
    assert "failed to issue a token" in response.text
    assert stack.store.get(stack.pim_url) is None


@pytest.mark.slow  # waits out the token deadline
def test_a_hanging_token_endpoint_gets_a_504_page(stack):
    stack.control("faults", {"token_endpoint": "hang", "hang_seconds": 10})
    response = stack.connect(stack.browser())
    assert response.status_code == 504
    assert "took too long" in response.text
    assert stack.store.get(stack.pim_url) is None


def test_an_unreachable_pim_gets_a_504_page(stack, unused_port):
    browser = stack.browser()
    dead_pim = f"http://127.0.0.1:{unused_port}"
    to_pim = browser.get(stack.activate_url(), params={"pim_url": dead_pim}, allow_redirects=False)
    state = query_of(to_pim.headers["Location"])["state"]
    response = browser.get(f"{stack.app_url}/callback", params={"code": "x" * 86, "state": state})
    assert response.status_code == 504
    assert "could not be reached" in response.text


def test_an_error_sent_to_the_callback_is_shown(stack):
    browser = stack.browser()
    state = query_of(stack.callback_url_from_pim(browser))["state"]
    response = browser.get(f"{stack.app_url}/callback", params={"state": state, "error": "access_denied"})
    assert response.status_code == 400
    assert "access_denied" in response.text


def test_a_refused_activation_logs_why(stack, caplog):
    caplog.set_level(logging.INFO)
    stack.browser().get(stack.activate_url(), params={"pim_url": "https://evil.example.com"})
    assert any(
        "Activation refused" in r.getMessage() and "evil.example.com" in r.getMessage()
        for r in caplog.records
    )
