"""The PIM REST client, against the emulator over HTTP, and a hand-made PIM for the cases it cannot play."""

import pytest
from flask import Flask, jsonify, request

from {{ cookiecutter.package_name }}.pim_api import (
    LEGACY_PRODUCTS_PATH,
    AccessDenied,
    AppDisconnected,
    PimApiClient,
    PimApiError,
    PimUnavailable,
    RateLimited,
)
from {{ cookiecutter.package_name }}.pim_http import build_pim_session

from pim_emulator.server import ServerThread

from tests.support.stack import TEST_LIMITS, running_stack


def pim_session(**options):
    """The App's PIM session, allowed to reach the loopback test servers."""
    return build_pim_session(frozenset({"127.0.0.1", "localhost"}), **options)


@pytest.fixture
def connected(stack):
    stack.connect(stack.browser())
    return stack


def client_for(stack, token=None):
    token = token or stack.store.get(stack.pim_url).access_token
    return PimApiClient(pim_session(backoff_factor=0.01), stack.pim_url, token, TEST_LIMITS.command_seconds)


def test_the_first_page_holds_the_requested_number_of_products(connected):
    page = client_for(connected).first_products(10)
    assert len(page.items) == 10
    assert all("uuid" in item for item in page.items)
    assert page.next_url


def test_a_page_is_never_asked_bigger_than_100(connected):
    assert len(client_for(connected).first_products(500).items) == 100


def test_iterating_follows_next_links_through_every_product(connected):
    uuids = [item["uuid"] for item in client_for(connected).iter_products(page_size=100)]
    assert len(uuids) == 300
    assert len(set(uuids)) == 300


def test_a_disconnected_app_raises_app_disconnected_with_the_pims_message(connected):
    connected.control("disconnect")
    with pytest.raises(AppDisconnected, match="disconnected from that PIM"):
        client_for(connected).first_products()


def test_an_unknown_token_raises_app_disconnected(connected):
    with pytest.raises(AppDisconnected, match="invalid"):
        client_for(connected, token="b" * 86).first_products()


def test_a_missing_scope_raises_access_denied(tmp_path):
    with running_stack(tmp_path, scopes=("read_catalog_structure",)) as stack:
        stack.connect(stack.browser())
        with pytest.raises(AccessDenied, match="list products"):
            client_for(stack).first_products()


@pytest.mark.slow  # waits out Retry-After
def test_a_lasting_rate_limit_raises_rate_limited_with_retry_after(connected):
    connected.control("faults", {"rate_limit": {"count": 10, "retry_after": 1}})
    with pytest.raises(RateLimited) as error:
        client_for(connected).first_products()
    assert error.value.retry_after == 1


@pytest.mark.slow  # waits out Retry-After
def test_a_short_rate_limit_is_absorbed_by_retries(connected):
    connected.control("faults", {"rate_limit": {"count": 2, "retry_after": 1}})
    assert len(client_for(connected).first_products(5).items) == 5


def test_an_unreachable_pim_raises_pim_unavailable(unused_port):
    client = PimApiClient(
        pim_session(retries=0), f"http://127.0.0.1:{unused_port}", "t", TEST_LIMITS.command_seconds
    )
    with pytest.raises(PimUnavailable, match="could not be reached"):
        client.first_products()


@pytest.fixture
def legacy_pim():
    """A PIM older than 7.0: no products-uuid, and a next link that points elsewhere."""
    app = Flask("legacy-pim")

    @app.get("/api/rest/v1/products-uuid")
    def no_uuid_endpoint():
        return jsonify(code=404, message='No route found for "GET /api/rest/v1/products-uuid"'), 404

    @app.get(LEGACY_PRODUCTS_PATH)
    def products():
        assert request.headers["Authorization"] == "Bearer legacy-token"
        items = [{"identifier": "sku-1", "family": "mugs", "values": {}}]
        links = {"next": {"href": "https://elsewhere.example.com/api/rest/v1/products?page=2"}}
        return jsonify(_links=links, _embedded={"items": items})

    with ServerThread(app) as server:
        yield server.url


def test_an_older_pim_is_read_through_the_legacy_endpoint(legacy_pim):
    client = PimApiClient(pim_session(), legacy_pim, "legacy-token", TEST_LIMITS.command_seconds)
    page = client.first_products()
    assert page.endpoint == LEGACY_PRODUCTS_PATH
    assert page.items[0]["identifier"] == "sku-1"


def test_the_token_is_never_sent_to_a_link_outside_the_pim(legacy_pim):
    client = PimApiClient(pim_session(), legacy_pim, "legacy-token", TEST_LIMITS.command_seconds)
    with pytest.raises(PimApiError, match="outside the PIM"):
        list(client.iter_products())
