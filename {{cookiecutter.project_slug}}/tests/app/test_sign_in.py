"""OpenID Connect sign-in over real HTTP: the App, the PIM emulator (its id_tokens, broken on demand) and
browsers with their own cookie jars."""

import re

import pytest
import requests

from {{ cookiecutter.package_name }}.openid import REFETCH_PAUSE, PublicKeyCache

from pim_emulator.openid import signing_keys

from tests.support.app_settings import OPENID_SCOPES, SCOPES
from tests.support.stack import running_stack

NOT_SIGNED_IN = "You could not be signed in"
PIM = "https://acme.cloud.akeneo.com"


@pytest.fixture
def stack(tmp_path):
    with running_stack(tmp_path, scopes=OPENID_SCOPES, product_count=20) as running:
        yield running


def signed_in_sub(page):
    """The sub of the user a dashboard card says is signed in."""
    match = re.search(r'class="user" data-sub="([^"]+)"', page.text)
    assert match, "no signed-in user on the page"
    return match.group(1)


def test_connect_signs_the_pim_user_in_and_the_dashboard_shows_their_name(stack):
    page = stack.connect(stack.browser())
    assert page.status_code == 200
    assert "Signed in as <strong>Julia Stark</strong>" in page.text
    assert "julia@example.com" in page.text
    assert page.text.count('class="product"') == 10


def test_the_user_is_kept_by_pim_url_and_sub_with_name_and_email(stack):
    sub = signed_in_sub(stack.connect(stack.browser()))
    user = stack.services.users.get(stack.pim_url, sub)
    assert (user.first_name, user.last_name, user.email) == ("Julia", "Stark", "julia@example.com")


def test_open_app_again_signs_the_same_user_in(stack):
    first = signed_in_sub(stack.connect(stack.browser()))
    again = signed_in_sub(stack.connect(stack.browser()))
    assert again == first


def test_the_token_response_scopes_include_the_consented_ones(stack):
    stack.connect(stack.browser())
    assert stack.store.get(stack.pim_url).scopes == (
        "email",
        "openid",
        "profile",
        "read_catalog_structure",
        "read_products",
    )


def test_the_public_key_is_fetched_once_for_many_sign_ins(stack):
    for _ in range(3):
        stack.connect(stack.browser())
    assert stack.pim_state()["public_key_requests"] == 1


def test_a_rotated_key_is_fetched_again_once_and_the_sign_in_succeeds(stack):
    stack.connect(stack.browser())
    stack.control("rotate-key")
    page = stack.connect(stack.browser())
    assert "Signed in as <strong>Julia Stark</strong>" in page.text
    assert stack.pim_state()["public_key_requests"] == 2


FAILED_CHECKS = {
    "forged_signature": "signature does not match the PIM&#39;s public key",
    "other_key": "signature does not match the PIM&#39;s public key",
    "wrong_issuer": "was not issued by this PIM (issued by https://not-this-pim.example.com",
    "wrong_audience": "issued for another App",
    "expired": "The id_token has expired",
    "alg_none": "signed with none, not RS256",
    "hs256_public_key": "signed with HS256, not RS256",
    "missing_sub": "names no user",
    "missing": "held no id_token",
}


@pytest.mark.parametrize(("fault", "reason"), FAILED_CHECKS.items(), ids=FAILED_CHECKS.keys())
def test_an_id_token_that_fails_a_check_signs_nobody_in_and_says_why(stack, fault, reason):
    stack.control("faults", {"id_token": fault})
    browser = stack.browser()
    page = stack.connect(browser)
    assert page.status_code == 502
    assert NOT_SIGNED_IN in page.text
    assert reason in page.text
    assert "/activate?pim_url=" in page.text
    dashboard = browser.get(f"{stack.app_url}/")
    assert 'class="product"' not in dashboard.text
    assert "Signed in as" not in dashboard.text


def test_an_id_token_issued_in_the_future_is_refused(stack):
    stack.pim_clock.advance(600)  # the PIM's clock runs ten minutes ahead of the App's
    page = stack.connect(stack.browser())
    assert NOT_SIGNED_IN in page.text
    assert "says it was issued in the future" in page.text


def test_a_clock_difference_within_the_leeway_is_accepted(stack):
    stack.pim_clock.advance(30)
    page = stack.connect(stack.browser())
    assert "Signed in as <strong>Julia Stark</strong>" in page.text


def test_a_failed_sign_in_still_stores_the_access_token(stack):
    stack.control("faults", {"id_token": "other_key"})
    stack.connect(stack.browser())
    connection = stack.store.get(stack.pim_url)
    assert connection.is_connected
    assert len(connection.access_token) == 86


def test_a_bad_signature_fetches_the_key_again_once_then_refuses(stack):
    stack.connect(stack.browser())
    stack.control("faults", {"id_token": "forged_signature"})
    page = stack.connect(stack.browser())
    assert NOT_SIGNED_IN in page.text
    assert stack.pim_state()["public_key_requests"] == 2


def test_forged_signatures_do_not_fetch_the_key_on_every_sign_in(stack):
    stack.connect(stack.browser())
    stack.control("faults", {"id_token": "forged_signature"})
    for _ in range(3):
        assert NOT_SIGNED_IN in stack.connect(stack.browser()).text
    assert stack.pim_state()["public_key_requests"] == 2, "the first fetch, one re-fetch that changed nothing"


def test_the_pause_after_a_confirmed_key_ends():
    now = [1000.0]
    keys = PublicKeyCache(clock=lambda: now[0])
    keys.put(PIM, signing_keys().private_key.public_key())
    keys.confirm(PIM)
    assert keys.confirmed_recently(PIM)
    now[0] += REFETCH_PAUSE
    assert not keys.confirmed_recently(PIM)


def test_a_new_key_is_not_confirmed_yet():
    keys = PublicKeyCache()
    keys.put(PIM, signing_keys().private_key.public_key())
    keys.confirm(PIM)
    keys.put(PIM, signing_keys().private_key.public_key())
    assert not keys.confirmed_recently(PIM)


def test_a_failed_sign_in_signs_out_whoever_the_browser_showed_for_that_pim(stack):
    browser = stack.browser()
    stack.connect(browser)
    stack.control("faults", {"id_token": "wrong_audience"})
    stack.connect(browser)
    dashboard = browser.get(f"{stack.app_url}/")
    assert "Not connected to a PIM yet" in dashboard.text


def test_two_users_of_one_pim_each_see_their_own_name(stack):
    julia = stack.browser()
    stack.connect(julia)
    stack.sign_in_as("sam")
    sam = stack.browser()
    sam_page = stack.connect(sam)
    assert "Signed in as <strong>Sam Rivera</strong>" in sam_page.text
    assert sam_page.text.count('class="product"') == 10
    julia_page = julia.get(f"{stack.app_url}/")
    assert "Signed in as <strong>Julia Stark</strong>" in julia_page.text
    assert "Sam Rivera" not in julia_page.text


def test_users_of_two_pims_each_see_only_their_own_pim(stack):
    with stack.another_pim() as other_pim:
        first, second = stack.browser(), stack.browser()
        first_page = stack.connect(first)
        second_page = stack.connect(second, other_pim)
        assert f'data-pim-url="{stack.pim_url}"' in first_page.text
        assert f'data-pim-url="{other_pim}"' not in first_page.text
        assert f'data-pim-url="{other_pim}"' in second_page.text
        assert f'data-pim-url="{stack.pim_url}"' not in second_page.text
        assert signed_in_sub(first_page) != signed_in_sub(second_page)


def test_each_pim_is_checked_with_its_own_key(stack):
    with stack.another_pim() as other_pim:
        requests.post(f"{other_pim}/_emulator/rotate-key", timeout=10).raise_for_status()
        assert "Signed in as" in stack.connect(stack.browser()).text
        assert "Signed in as" in stack.connect(stack.browser(), other_pim).text
        assert "Signed in as" in stack.connect(stack.browser()).text
        assert stack.pim_state()["public_key_requests"] == 1


def test_one_browser_signed_in_to_two_pims_sees_both(stack):
    with stack.another_pim() as other_pim:
        browser = stack.browser()
        stack.connect(browser)
        page = stack.connect(browser, other_pim)
        assert page.text.count('class="user"') == 2


def test_signing_out_ends_the_sign_in(stack):
    browser = stack.browser()
    page = stack.connect(browser)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    out = browser.post(f"{stack.app_url}/sign-out", data={"csrf_token": csrf})
    assert "Not connected to a PIM yet" in out.text
    assert "Signed in as" not in out.text
    assert stack.store.get(stack.pim_url).is_connected


def test_forgetting_a_pim_forgets_its_users(stack):
    browser = stack.browser()
    page = stack.connect(browser)
    sub = signed_in_sub(page)
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    browser.post(f"{stack.app_url}/forget", data={"csrf_token": csrf, "pim_url": stack.pim_url})
    assert stack.services.users.get(stack.pim_url, sub) is None


def test_turning_openid_on_hides_pims_from_browsers_nobody_signed_in_to(tmp_path):
    with running_stack(tmp_path, scopes=SCOPES) as stack:
        browser = stack.browser()
        assert stack.connect(browser).text.count('class="product"') == 10
        stack.restart_app(scopes=OPENID_SCOPES)
        page = browser.get(f"{stack.app_url}/")
        assert "Not connected to a PIM yet" in page.text


def test_without_openid_nobody_is_signed_in_and_no_key_is_fetched(tmp_path):
    with running_stack(tmp_path, scopes=SCOPES) as stack:
        page = stack.connect(stack.browser())
        assert page.text.count('class="product"') == 10
        assert "Signed in as" not in page.text
        assert stack.pim_state()["public_key_requests"] == 0
