"""The PIM REST client against the emulator over HTTP: reads, walks, writes and the errors they turn into.

One emulator serves the whole module (connected with read, write and delete scopes); tests that write put
back what they changed. The cases the emulator cannot play are in test_pim_client_safety.py.
"""

from datetime import datetime, timedelta, timezone

import pytest
import requests
from flask import Flask, jsonify, request

from {{ cookiecutter.package_name }}.pim_api import (
    ATTRIBUTES_PATH,
    FAMILIES_PATH,
    LEGACY_PRODUCTS_PATH,
    CatalogUnavailable,
    PimApiClient,
    PimApiError,
    PimForbidden,
    PimNotFound,
    PimRateLimited,
    PimUnauthorized,
    PimUnavailable,
    PimValidationError,
    updated_since,
)
from {{ cookiecutter.package_name }}.pim_http import build_pim_session

from pim_emulator.server import ServerThread

from tests.support.stack import TEST_LIMITS, running_stack

SCOPES = (
    "read_products",
    "write_products",
    "delete_products",
    "read_catalog_structure",
    "read_catalogs",
    "write_catalogs",
    "delete_catalogs",
)
PRODUCT_COUNT = 300


def pim_session(**options):
    """The App's PIM session, allowed to reach the loopback test servers."""
    return build_pim_session(frozenset({"127.0.0.1", "localhost"}), **options)


@pytest.fixture(scope="module")
def pim(tmp_path_factory):
    """One App and emulator for the module, connected with every scope the tests use."""
    with running_stack(tmp_path_factory.mktemp("pim_api"), scopes=SCOPES) as stack:
        stack.connect(stack.browser())
        yield stack


def client_for(stack, token=None):
    token = token or stack.store.get(stack.pim_url).access_token
    return PimApiClient(pim_session(backoff_factor=0.01), stack.pim_url, token, TEST_LIMITS.command_seconds)


@pytest.fixture
def client(pim):
    return client_for(pim)


# Reading


def test_the_first_page_holds_the_requested_number_of_products(client):
    page = client.first_products(10)
    assert len(page.items) == 10
    assert all("uuid" in item for item in page.items)
    assert page.next_url


def test_a_page_is_never_asked_bigger_than_100(client):
    assert len(client.first_products(500).items) == 100


def test_iterating_yields_every_product_once_in_the_pims_order(client):
    uuids = [item["uuid"] for item in client.iter_products(page_size=100)]
    assert len(uuids) == PRODUCT_COUNT
    assert uuids == sorted(set(uuids))


def test_pages_of_any_size_yield_the_same_products(client):
    assert [p["uuid"] for p in client.iter_products(page_size=7)] == [
        p["uuid"] for p in client.iter_products()
    ]


def test_a_walk_stopped_early_leaves_the_connection_clean_for_the_next_call(client):
    walk = client.iter_products(page_size=10)
    first = next(walk)  # the second page is already asked for
    walk.close()
    assert client.first_products(1).items[0]["uuid"] == first["uuid"]
    assert next(client.iter_products(page_size=10))["uuid"] == first["uuid"]


def test_a_search_since_a_moment_yields_exactly_the_products_updated_after_it(client):
    everything = list(client.iter_products())
    moments = sorted(datetime.fromisoformat(product["updated"]) for product in everything)
    since = moments[len(moments) // 2]
    expected = {p["uuid"] for p in everything if datetime.fromisoformat(p["updated"]) > since}
    assert 0 < len(expected) < len(everything)
    assert {p["uuid"] for p in client.iter_products(updated_since(since))} == expected


def test_a_search_takes_any_of_the_pims_filters(client):
    mugs = list(client.iter_products({"family": [{"operator": "IN", "value": ["mugs"]}]}))
    assert mugs
    assert {product["family"] for product in mugs} == {"mugs"}


def test_a_date_without_a_time_zone_is_refused_before_any_call(client):
    with pytest.raises(ValueError, match="time zone"):
        updated_since(datetime(2024, 1, 1))  # the mistake under test


def test_one_product_is_read_by_its_uuid(client):
    first = client.first_products(1).items[0]
    assert client.get_product(first["uuid"])["identifier"] == first["identifier"]


def test_an_unknown_product_raises_not_found(client):
    with pytest.raises(PimNotFound, match="does not exist"):
        client.get_product("00000000-0000-0000-0000-000000000000")


def test_product_models_are_walked_with_search_after(client):
    models = list(client.iter_product_models(page_size=5))
    assert len(models) > 5
    assert len({model["code"] for model in models}) == len(models)
    assert client.get_product_model(models[0]["code"])["family"] == models[0]["family"]


def test_families_and_attributes_are_walked_page_by_page(client):
    families = client.get(FAMILIES_PATH, {"with_count": "true"})["items_count"]
    attributes = client.get(ATTRIBUTES_PATH, {"with_count": "true"})["items_count"]
    assert len(list(client.iter_families(page_size=2))) == families
    assert len(list(client.iter_attributes(page_size=3))) == attributes
    assert client.get_family("mugs")["code"] == "mugs"
    assert client.get_attribute("name")["code"] == "name"


# Writing


def test_a_product_is_created_updated_and_deleted(client):
    created = client.create_product({"identifier": "TEST-CRUD-1", "family": "mugs"})
    assert created.created
    assert client.get_product(created.key)["identifier"] == "TEST-CRUD-1"
    name = {"name": [{"locale": "en_US", "scope": None, "data": "Test mug"}]}
    assert client.update_product(created.key, {"values": name}).status == 204
    assert client.get_product(created.key)["values"]["name"][0]["data"] == "Test mug"
    client.delete_product(created.key)
    with pytest.raises(PimNotFound):
        client.get_product(created.key)


def test_a_refused_write_raises_validation_error_with_the_pims_errors(client):
    with pytest.raises(PimValidationError) as refused:
        client.create_product({"identifier": "TEST-BAD-1", "family": "no_such_family"})
    assert refused.value.status == 422
    assert "no_such_family" in str(refused.value)


@pytest.mark.slow  # waits out Retry-After
def test_a_write_answered_429_is_sent_again_after_retry_after(pim, client):
    pim.control("faults", {"rate_limit": {"count": 1, "retry_after": 1}})
    created = client.create_product({"identifier": "TEST-429-1", "family": "mugs"})
    try:
        assert created.created
        assert [p["identifier"] for p in client.iter_products(_identifier_is("TEST-429-1"))] == ["TEST-429-1"]
    finally:
        client.delete_product(created.key)


def _identifier_is(identifier):
    return {"identifier": [{"operator": "IN", "value": [identifier]}]}


# Catalogs for Apps


@pytest.fixture
def catalog(pim, client):
    """A catalog of this App, enabled on the PIM's catalog screen for one family."""
    created = client.create_catalog("Mugs for the test")
    enabled = requests.post(
        f"{pim.pim_url}/connect/apps/v1/catalogs/{created['id']}",
        data={"enabled": "1", "families": "mugs"},
        timeout=10,
    )
    assert enabled.status_code == 200
    yield created["id"]
    client.delete(f"/api/rest/v1/catalogs/{created['id']}")


def test_a_catalogs_products_are_the_ones_it_selects(client, catalog):
    selected = list(client.iter_catalog_products(catalog, page_size=7))
    mugs = [p["uuid"] for p in client.iter_products({"family": [{"operator": "IN", "value": ["mugs"]}]})]
    assert [product["uuid"] for product in selected] == mugs


def test_a_catalogs_products_updated_after_a_moment(client, catalog):
    everything = list(client.iter_catalog_products(catalog))
    since = sorted(datetime.fromisoformat(p["updated"]) for p in everything)[len(everything) // 2]
    expected = [p["uuid"] for p in everything if datetime.fromisoformat(p["updated"]) > since]
    # Any time zone: the client sends the moment in UTC.
    elsewhere = since.astimezone(timezone(timedelta(hours=-5)))
    assert [p["uuid"] for p in client.iter_catalog_products(catalog, updated_after=elsewhere)] == expected


def test_a_disabled_catalog_raises_catalog_unavailable_with_the_pims_words(client):
    created = client.create_catalog("Never enabled")
    try:
        with pytest.raises(CatalogUnavailable, match="disabled on the PIM side"):
            list(client.iter_catalog_products(created["id"]))
    finally:
        client.delete(f"/api/rest/v1/catalogs/{created['id']}")


def test_the_app_lists_the_catalogs_it_created(client, catalog):
    assert catalog in [item["id"] for item in client.iter_catalogs()]


# Errors


def test_a_disconnected_app_raises_unauthorized_with_the_pims_message(tmp_path):
    with running_stack(tmp_path) as stack:
        stack.connect(stack.browser())
        stack.control("disconnect")
        with pytest.raises(PimUnauthorized, match="disconnected from that PIM"):
            client_for(stack).first_products()


def test_an_unknown_token_raises_unauthorized(pim):
    with pytest.raises(PimUnauthorized, match="invalid"):
        list(client_for(pim, token="b" * 86).iter_products())


def test_a_missing_scope_raises_forbidden_naming_the_scope(tmp_path):
    with running_stack(tmp_path, scopes=("read_catalog_structure",)) as stack:
        stack.connect(stack.browser())
        with pytest.raises(PimForbidden, match="list products") as refused:
            client_for(stack).first_products()
        assert refused.value.missing_scope == "read_products"


def test_a_write_without_the_write_scope_names_the_scope_it_needs(tmp_path):
    with running_stack(tmp_path, scopes=("read_products",)) as stack:
        stack.connect(stack.browser())
        with pytest.raises(PimForbidden) as refused:
            client_for(stack).create_product({"identifier": "NOPE-1"})
        assert refused.value.missing_scope == "write_products"


@pytest.mark.slow  # waits out Retry-After
def test_a_lasting_rate_limit_raises_rate_limited_with_retry_after(pim, client):
    pim.control("faults", {"rate_limit": {"count": 10, "retry_after": 1}})
    try:
        with pytest.raises(PimRateLimited) as error:
            client.first_products()
        assert error.value.retry_after == 1
    finally:
        pim.control("faults", {"rate_limit": None})


@pytest.mark.slow  # waits out Retry-After
def test_a_short_rate_limit_is_absorbed_by_retries(pim, client):
    pim.control("faults", {"rate_limit": {"count": 2, "retry_after": 1}})
    assert len(client.first_products(5).items) == 5


@pytest.mark.slow  # waits out Retry-After
def test_a_rate_limit_in_the_middle_of_a_walk_loses_no_product(pim, client):
    walk = client.iter_products(page_size=50)
    first = [next(walk)["uuid"] for _ in range(60)]  # into the second page: the third is on its way
    pim.control("faults", {"rate_limit": {"count": 1, "retry_after": 1}})
    rest = [product["uuid"] for product in walk]
    assert len(first + rest) == PRODUCT_COUNT
    assert len(set(first + rest)) == PRODUCT_COUNT


def test_an_unreachable_pim_raises_pim_unavailable(unused_port):
    client = PimApiClient(
        pim_session(retries=0), f"http://127.0.0.1:{unused_port}", "t", TEST_LIMITS.command_seconds
    )
    with pytest.raises(PimUnavailable, match="could not be reached"):
        client.first_products()
    with pytest.raises(PimUnavailable, match="could not be reached"):
        list(client.iter_products())


# Older PIMs


@pytest.fixture(scope="module")
def legacy_pim():
    """A PIM older than 7.0: no products-uuid; its second page links to another host."""
    app = Flask("legacy-pim")

    @app.get("/api/rest/v1/products-uuid")
    def no_uuid_endpoint():
        return jsonify(code=404, message='No route found for "GET /api/rest/v1/products-uuid"'), 404

    @app.get(LEGACY_PRODUCTS_PATH)
    def products():
        assert request.headers["Authorization"] == "Bearer legacy-token"
        page = request.args.get("page", "1")
        items = [{"identifier": f"sku-{page}", "family": "mugs", "values": {}}]
        host = request.host_url.rstrip("/") if page == "1" else "https://elsewhere.example.com"
        links = {"next": {"href": f"{host}{LEGACY_PRODUCTS_PATH}?page={int(page) + 1}"}}
        return jsonify(_links=links, _embedded={"items": items})

    with ServerThread(app) as server:
        yield server.url


def test_an_older_pim_is_read_through_the_legacy_endpoint(legacy_pim):
    client = PimApiClient(pim_session(), legacy_pim, "legacy-token", TEST_LIMITS.command_seconds)
    page = client.first_products()
    assert page.endpoint == LEGACY_PRODUCTS_PATH
    assert page.items[0]["identifier"] == "sku-1"


def test_an_older_pim_is_walked_through_the_legacy_endpoint(legacy_pim):
    client = PimApiClient(pim_session(), legacy_pim, "legacy-token", TEST_LIMITS.command_seconds)
    walk = client.iter_products()
    assert next(walk)["identifier"] == "sku-1"
    with pytest.raises(PimApiError, match="outside the PIM"):
        next(walk)


def test_the_token_is_never_sent_to_a_link_outside_the_pim(legacy_pim):
    client = PimApiClient(pim_session(), legacy_pim, "legacy-token", TEST_LIMITS.command_seconds)
    with pytest.raises(PimApiError, match="outside the PIM"):
        list(client.iter_products())


def test_the_old_error_names_still_catch_the_new_errors():
    from {{ cookiecutter.package_name }}.pim_api import AccessDenied, AppDisconnected, RateLimited

    assert (AppDisconnected, AccessDenied, RateLimited) == (PimUnauthorized, PimForbidden, PimRateLimited)
