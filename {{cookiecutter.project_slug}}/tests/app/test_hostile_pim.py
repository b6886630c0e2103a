"""A PIM is untrusted: whatever it answers, the App keeps within its limits and only its card suffers."""

import json
import time

import jwt
import pytest
from flask import Response, jsonify, redirect

from {{ cookiecutter.package_name }}.pim_api import PimApiClient, UnexpectedAnswer
from {{ cookiecutter.package_name }}.pim_http import build_pim_session

from pim_emulator.openid import signing_keys

from tests.support.app_settings import CLIENT_ID, OPENID_SCOPES
from tests.support.hostile_pim import GOOD_TOKEN, endless, hostile_pim, trickle
from tests.support.stack import TEST_LIMITS, running_stack


@pytest.fixture
def hostile(stack):
    with hostile_pim(stack.app_url) as pim:
        yield pim


def connect_to(stack, browser, pim_url):
    return browser.get(stack.activate_url(), params={"pim_url": pim_url}, timeout=60)


def card_of(page_text, pim_url):
    return page_text.split(f'data-pim-url="{pim_url}"', 1)[1].split("</section>", 1)[0]


# The token request


@pytest.mark.slow  # waits out the token deadline
def test_a_trickling_token_endpoint_ends_in_a_504_page(stack, hostile):
    hostile.token_answer = trickle
    page = connect_to(stack, stack.browser(), hostile.url)
    assert page.status_code == 504
    assert "took too long" in page.text
    assert stack.store.get(hostile.url) is None


def test_a_huge_token_answer_is_refused_and_nothing_is_stored(stack, hostile):
    hostile.token_answer = endless
    page = connect_to(stack, stack.browser(), hostile.url)
    assert page.status_code == 502
    assert "larger than the App accepts" in page.text
    assert stack.store.get(hostile.url) is None


@pytest.mark.parametrize("access_token", ["", "a b", "x" * 5000, "tok\x00en", 42])
def test_a_malformed_access_token_is_refused(stack, hostile, access_token):
    hostile.token_answer = lambda: jsonify(access_token=access_token, scope="read_products")
    page = connect_to(stack, stack.browser(), hostile.url)
    assert page.status_code == 502
    assert stack.store.get(hostile.url) is None


def test_a_redirecting_token_endpoint_is_not_followed(stack, hostile):
    hostile.token_answer = lambda: redirect(f"{stack.pim_url}/connect/apps/v1/oauth2/token", code=307)
    page = connect_to(stack, stack.browser(), hostile.url)
    assert page.status_code == 502
    assert stack.pim_state()["token_requests"] == 0


def test_an_overlong_or_binary_scope_keeps_the_known_scopes_only(tmp_path, database_url):
    # On PostgreSQL a scope over 1000 characters or a NUL made the insert fail after the code was spent.
    with running_stack(tmp_path, database_url=database_url) as stack, hostile_pim(stack.app_url) as hostile:
        scope = "write_products read_products " + "x" * 5000 + " bad\x00scope"
        hostile.token_answer = lambda: jsonify(access_token=GOOD_TOKEN, scope=scope)
        page = connect_to(stack, stack.browser(), hostile.url)
        assert page.status_code == 200
        assert stack.store.get(hostile.url).scopes == ("read_products", "write_products")


# The dashboard


@pytest.fixture
def two_pims(stack, hostile):
    """One browser connected to the emulator and to the hostile PIM."""
    browser = stack.browser()
    stack.connect(browser)
    assert connect_to(stack, browser, hostile.url).status_code == 200
    return browser


def dashboard(stack, browser):
    page = browser.get(f"{stack.app_url}/", timeout=60)
    assert page.status_code == 200
    assert card_of(page.text, stack.pim_url).count('class="product"') == 10, "the good PIM's card still works"
    return page


@pytest.mark.slow  # waits out the card deadline
def test_a_trickling_products_page_costs_its_own_card_only(stack, hostile, two_pims):
    hostile.products_answer = trickle
    card = card_of(dashboard(stack, two_pims).text, hostile.url)
    assert "did not answer within" in card


def test_a_huge_products_page_is_refused_on_its_card(stack, hostile, two_pims):
    hostile.products_answer = endless
    card = card_of(dashboard(stack, two_pims).text, hostile.url)
    assert "larger than the App accepts" in card


@pytest.mark.parametrize(
    "body",
    [
        {"_links": "x", "_embedded": {"items": []}},
        {"_embedded": []},
        {"_embedded": {"items": ["not", "objects"]}},
        {"_embedded": {"items": [{"uuid": "u"}]}, "_links": {"next": {"href": 42}}},
        [1, 2, 3],
        "a string",
    ],
    ids=["links-a-string", "embedded-a-list", "items-not-objects", "next-not-a-string", "a-list", "a-string"],
)
def test_an_answer_of_the_wrong_shape_breaks_only_its_card(stack, hostile, two_pims, body):
    hostile.products_answer = lambda: Response(json.dumps(body), mimetype="application/json")
    card = card_of(dashboard(stack, two_pims).text, hostile.url)
    assert 'data-status="unavailable"' in card
    assert "could not be loaded" in card


def test_products_with_odd_values_still_show(stack, hostile, two_pims):
    items = [{"uuid": 7, "identifier": None, "family": ["x"], "values": {"name": "flat", "label": 3}}]
    hostile.products_answer = lambda: jsonify(_links={}, _embedded={"items": items})
    card = card_of(dashboard(stack, two_pims).text, hostile.url)
    assert card.count('class="product"') == 1


def test_an_api_redirect_is_not_followed(stack, hostile, two_pims):
    hostile.products_answer = lambda: redirect("/elsewhere", code=302)
    card = card_of(dashboard(stack, two_pims).text, hostile.url)
    assert "does not follow redirects" in card
    assert hostile.hits["/elsewhere"] == 0


def test_a_redirect_to_another_host_is_not_followed(stack, hostile, two_pims):
    with hostile_pim(stack.app_url) as elsewhere:
        hostile.products_answer = lambda: redirect(f"{elsewhere.url}/elsewhere", code=302)
        card = card_of(dashboard(stack, two_pims).text, hostile.url)
        assert "does not follow redirects" in card
        assert sum(elsewhere.hits.values()) == 0


def test_no_cookie_a_pim_sets_is_ever_sent_back(stack, hostile):
    # Both PIMs are on 127.0.0.1, and cookies ignore ports: a kept cookie would go from one to the other.
    hostile.products_answer = lambda: Response(
        json.dumps({"_embedded": {"items": []}}),
        mimetype="application/json",
        headers={"Set-Cookie": "t=1; Path=/"},
    )
    with hostile_pim(stack.app_url) as other:
        client_for(hostile).first_products()
        client_for(hostile).first_products()
        client_for(other).first_products()
        assert hostile.cookies_received == other.cookies_received == []


def test_a_long_retry_after_is_reported_not_waited_for(stack, hostile, two_pims):
    hostile.products_answer = lambda: Response(
        '{"code":429,"message":"Too many requests"}', status=429, headers={"Retry-After": "30"}
    )
    hostile.hits.clear()
    card = card_of(dashboard(stack, two_pims).text, hostile.url)
    assert "Reload this page in 30 seconds" in card
    assert hostile.hits["/api/rest/v1/products-uuid"] == 1, "no retry: the wait would not fit"


def test_forget_this_pim_removes_its_card_and_its_token(stack, hostile, two_pims):
    page = two_pims.get(f"{stack.app_url}/")
    csrf = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    after = two_pims.post(f"{stack.app_url}/forget", data={"pim_url": hostile.url, "csrf_token": csrf})
    assert after.status_code == 200
    assert f'data-pim-url="{hostile.url}"' not in after.text
    assert f'data-pim-url="{stack.pim_url}"' in after.text
    assert stack.store.get(hostile.url) is None


def test_forget_without_the_pages_csrf_token_is_refused(stack, hostile, two_pims):
    refused = two_pims.post(f"{stack.app_url}/forget", data={"pim_url": hostile.url, "csrf_token": "guess"})
    assert refused.status_code == 403
    assert stack.store.get(hostile.url) is not None


# The scope notice (the App asks for read_catalog_structure too; this PIM grants read_products only)


def test_a_pim_that_refuses_the_scope_notice_is_not_asked_on_every_page_load(stack, hostile):
    browser = stack.browser()
    connect_to(stack, browser, hostile.url)
    for _ in range(3):
        browser.get(f"{stack.app_url}/")
    assert hostile.hits["/connect/apps/v1/scopes/update"] == 1


def test_a_scope_notice_the_pim_could_not_take_is_sent_again_on_the_next_page_load(stack, hostile):
    hostile.notice_answer = lambda: (jsonify(code=503, message="Service Unavailable"), 503)
    browser = stack.browser()
    connect_to(stack, browser, hostile.url)
    browser.get(f"{stack.app_url}/")
    assert hostile.hits["/connect/apps/v1/scopes/update"] == 2


# The client


SHARED_SESSION = build_pim_session(frozenset({"127.0.0.1"}), backoff_factor=0.01)


def client_for(pim):
    """A client on one shared PIM session, as the App's services share one across PIMs and visitors."""
    return PimApiClient(SHARED_SESSION, pim.url, GOOD_TOKEN, TEST_LIMITS.command_seconds)


def test_an_overlong_next_link_stops_the_walk(hostile):
    link = f"{hostile.url}/api/rest/v1/products-uuid?search_after=" + "x" * 10_000
    hostile.products_answer = lambda: jsonify(_links={"next": {"href": link}}, _embedded={"items": [{}]})
    with pytest.raises(UnexpectedAnswer, match="longer than"):
        list(client_for(hostile).iter_products())


def test_a_next_link_back_to_a_read_page_stops_the_walk(hostile):
    page = {"_links": {"next": {"href": f"{hostile.url}/api/rest/v1/products-uuid"}}}
    page["_embedded"] = {"items": [{"uuid": "u-1"}]}
    hostile.products_answer = lambda: jsonify(page)
    with pytest.raises(UnexpectedAnswer, match="points back to a page already read"):
        list(client_for(hostile).iter_products())


def test_an_empty_page_with_a_next_link_stops_the_walk(hostile):
    calls = iter(range(1000))

    def empty_pages():
        link = f"{hostile.url}/api/rest/v1/products-uuid?search_after={next(calls)}"
        return jsonify(_links={"next": {"href": link}}, _embedded={"items": []})

    hostile.products_answer = empty_pages
    with pytest.raises(UnexpectedAnswer, match="empty page"):
        list(client_for(hostile).iter_products())
    assert hostile.hits["/api/rest/v1/products-uuid"] == 1


def test_the_walk_stops_past_its_page_limit(hostile):
    calls = iter(range(1000))

    def pages_forever():
        link = f"{hostile.url}/api/rest/v1/products-uuid?search_after={next(calls)}"
        return jsonify(_links={"next": {"href": link}}, _embedded={"items": [{"uuid": "u"}]})

    hostile.products_answer = pages_forever
    with pytest.raises(UnexpectedAnswer, match="more than 5 pages"):
        list(client_for(hostile).iter_products(max_pages=5))


# The OpenID public key


@pytest.fixture
def openid_hostile(tmp_path):
    """A hostile PIM whose token answer carries a well-formed id_token, and an App that asks for openid."""
    with (
        running_stack(tmp_path, scopes=OPENID_SCOPES, product_count=20) as stack,
        hostile_pim(stack.app_url) as pim,
    ):
        answer_with_id_token(pim)
        yield stack, pim


def answer_with_id_token(pim, **changes):
    """The token answer carries an id_token signed with the emulator's key, its claims changed as given."""
    now = time.time()
    claims = {"iss": pim.url, "aud": CLIENT_ID, "sub": "s-1", "iat": now, "exp": now + 3600, **changes}
    id_token = jwt.encode(claims, signing_keys().private_key, algorithm="RS256")
    pim.token_answer = lambda: jsonify(
        access_token=GOOD_TOKEN, token_type="bearer", scope="openid read_products", id_token=id_token
    )


def serve_the_right_certificate(pim):
    pim.public_key_answer = lambda: jsonify(public_key=signing_keys().certificate_pem)


def signing_in_to(stack, pim):
    page = connect_to(stack, stack.browser(), pim.url)
    assert page.status_code == 502
    assert "You could not be signed in" in page.text
    assert stack.store.get(pim.url).is_connected, "the access token is stored all the same"
    return page.text


def test_a_public_key_the_pim_does_not_serve_is_explained(openid_hostile):
    stack, pim = openid_hostile
    text = signing_in_to(stack, pim)
    assert "could not get the PIM&#39;s public key" in text
    assert "the PIM answered HTTP 404" in text


@pytest.mark.slow  # waits out the public key's deadline
def test_a_trickling_public_key_ends_within_its_time(openid_hostile):
    stack, pim = openid_hostile
    pim.public_key_answer = trickle
    assert "did not answer within 2 seconds" in signing_in_to(stack, pim)


def test_a_huge_public_key_answer_is_refused(openid_hostile):
    stack, pim = openid_hostile
    pim.public_key_answer = endless
    assert "larger than the App accepts" in signing_in_to(stack, pim)


def test_a_redirected_public_key_is_not_followed(openid_hostile):
    stack, pim = openid_hostile
    pim.public_key_answer = lambda: redirect(f"{stack.pim_url}/connect/apps/v1/openid/public-key")
    assert "HTTP 302" in signing_in_to(stack, pim)
    assert stack.pim_state()["public_key_requests"] == 0


@pytest.mark.parametrize(
    "public_key", ["not a pem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", 42]
)
def test_a_public_key_that_is_no_key_is_refused(openid_hostile, public_key):
    stack, pim = openid_hostile
    pim.public_key_answer = lambda: jsonify(public_key=public_key)
    text = signing_in_to(stack, pim)
    assert "not a readable PEM" in text or "holds no public_key" in text


def test_the_right_certificate_signs_the_user_in(openid_hostile):
    stack, pim = openid_hostile
    serve_the_right_certificate(pim)
    page = connect_to(stack, stack.browser(), pim.url)
    assert page.status_code == 200
    assert 'data-sub="s-1"' in page.text


# The id_token's claims, signed with the key the PIM publishes


@pytest.mark.parametrize("sub", ["s-1\x00", "s-1\nERROR forged log line"], ids=["nul", "newline"])
def test_a_sub_with_control_characters_signs_nobody_in(tmp_path, database_url, sub):
    # A NUL failed the user's insert on PostgreSQL (a 500 page); a newline forged a line in the App's log.
    with (
        running_stack(tmp_path, scopes=OPENID_SCOPES, product_count=20, database_url=database_url) as stack,
        hostile_pim(stack.app_url) as pim,
    ):
        serve_the_right_certificate(pim)
        answer_with_id_token(pim, sub=sub)
        assert "names no user" in signing_in_to(stack, pim)


def written_by_hand(url):
    """The PIM's URL as an administrator may configure it: capitals, a trailing slash (the PIM then sends
    exactly this, both as `pim_url` and as `iss`)."""
    return url.replace("http://127.0.0.1", "HTTP://LocalHost") + "/"


def test_an_issuer_written_as_the_pims_configured_url_signs_the_user_in(openid_hostile):
    stack, pim = openid_hostile
    serve_the_right_certificate(pim)
    answer_with_id_token(pim, iss=written_by_hand(pim.url))
    page = connect_to(stack, stack.browser(), written_by_hand(pim.url))
    assert page.status_code == 200
    assert 'data-sub="s-1"' in page.text


@pytest.mark.parametrize(
    "issuer",
    [
        lambda url: url.replace("http://", "https://"),
        lambda url: url.rsplit(":", 1)[0] + ":1",
        lambda url: url + "/pim",
    ],
    ids=["other scheme", "other port", "other path"],
)
def test_an_issuer_naming_another_address_is_refused(openid_hostile, issuer):
    stack, pim = openid_hostile
    serve_the_right_certificate(pim)
    answer_with_id_token(pim, iss=issuer(pim.url))
    assert "was not issued by this PIM" in signing_in_to(stack, pim)


@pytest.mark.parametrize(
    "audience", [[CLIENT_ID, "another-app"], [CLIENT_ID]], ids=["another audience too", "a list"]
)
def test_an_audience_other_than_this_apps_client_id_alone_is_refused(openid_hostile, audience):
    # The PIM's aud is one string; a list may name Apps this one does not trust (OpenID Connect Core 3.1.3.7).
    stack, pim = openid_hostile
    serve_the_right_certificate(pim)
    answer_with_id_token(pim, aud=audience)
    assert "issued for another App" in signing_in_to(stack, pim)
