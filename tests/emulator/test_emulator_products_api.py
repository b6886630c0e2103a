"""The REST API's products endpoints: authentication, ACL, pagination and single products."""

import re
import uuid

import pytest
from pim_emulator.catalog import PRODUCT_NAMESPACE

UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def token(emulator):
    return emulator.token("read_products")


def next_href(body):
    return body["_links"].get("next", {}).get("href")


# --- authentication and permissions -------------------------------------------------------


def test_no_token_is_401_authentication_required(emulator):
    response = emulator.api("products-uuid")

    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "Authentication is required"}


def test_unknown_token_is_401_invalid(emulator):
    response = emulator.api("products-uuid", "not-a-token")

    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "The access token provided is invalid."}


def test_token_of_a_disconnected_app_is_401_disconnected(emulator, token):
    emulator.control("disconnect")

    response = emulator.api("products-uuid", token)

    assert response.status_code == 401
    assert response.json() == {
        "code": 401,
        "message": "The access token provided is invalid. Your app has been disconnected from that PIM.",
    }


def test_without_read_products_listing_is_403(emulator):
    token = emulator.token("read_catalog_structure")

    response = emulator.api("products-uuid", token)

    assert response.status_code == 403
    assert response.json() == {
        "code": 403,
        "message": "Access forbidden. You are not allowed to list products.",
    }


def test_write_products_implies_read(emulator):
    assert emulator.api("products", emulator.token("write_products")).status_code == 200


def test_reduced_scopes_apply_to_the_current_token_at_once(emulator):
    token = emulator.token("read_products read_categories")
    emulator.authorize("read_categories")  # a manager re-authorizes with fewer scopes

    assert emulator.api("products-uuid", token).status_code == 403


# --- page pagination -----------------------------------------------------------------------


def test_first_page_has_ten_items_by_default_and_page_links(emulator, token):
    body = emulator.api("products-uuid", token).json()

    assert body["current_page"] == 1
    assert len(body["_embedded"]["items"]) == 10
    assert set(body["_links"]) == {"self", "first", "next"}
    assert "page=2" in next_href(body)


def test_links_are_absolute_urls_on_the_public_url(emulator, token):
    body = emulator.api("products-uuid", token).json()

    for link in body["_links"].values():
        assert link["href"].startswith(f"{emulator.url}/api/rest/v1/products-uuid?")
    for item in body["_embedded"]["items"]:
        assert item["_links"]["self"]["href"] == f"{emulator.url}/api/rest/v1/products-uuid/{item['uuid']}"


def test_later_pages_have_a_previous_link(emulator, token):
    body = emulator.api("products-uuid", token, page=2).json()

    assert body["current_page"] == 2
    assert "page=1" in body["_links"]["previous"]["href"]


def test_a_partial_last_page_has_no_next_link(emulator, token):
    body = emulator.api("products-uuid", token, page=5).json()  # 45 products

    assert len(body["_embedded"]["items"]) == 5
    assert "next" not in body["_links"]


def test_a_full_last_page_still_has_a_next_link_to_an_empty_page(make_emulator):
    emulator = make_emulator(product_count=20)
    token = emulator.token()

    body = emulator.api("products-uuid", token, page=2).json()
    empty = emulator.api(next_href(body), token).json()

    assert len(body["_embedded"]["items"]) == 10
    assert empty["_embedded"]["items"] == []
    assert "next" not in empty["_links"]


def test_following_page_links_visits_every_product_once(emulator, token):
    seen, href = [], f"{emulator.url}/api/rest/v1/products-uuid?limit=7"
    while href:
        body = emulator.api(href, token).json()
        seen += [item["uuid"] for item in body["_embedded"]["items"]]
        href = next_href(body)

    assert len(seen) == 45
    assert seen == sorted(set(seen))


def test_with_count_adds_the_total(emulator, token):
    assert emulator.api("products-uuid", token, with_count="true").json()["items_count"] == 45


# --- search_after pagination ---------------------------------------------------------------


def test_search_after_links_are_self_first_next_without_a_page_number(emulator, token):
    body = emulator.api("products-uuid", token, pagination_type="search_after", limit=10).json()

    assert set(body["_links"]) == {"self", "first", "next"}
    assert "current_page" not in body
    assert "search_after=" in next_href(body)


def test_following_search_after_links_visits_every_product_once(emulator, token):
    seen, href = [], None
    body = emulator.api("products-uuid", token, pagination_type="search_after", limit=20).json()
    while True:
        seen += [item["uuid"] for item in body["_embedded"]["items"]]
        href = next_href(body)
        if not href:
            break
        assert "pagination_type=search_after" in href
        body = emulator.api(href, token).json()

    assert len(seen) == 45
    assert seen == sorted(set(seen))


def test_legacy_products_paginate_by_identifier_with_search_after(emulator, token):
    seen = []
    body = emulator.api("products", token, pagination_type="search_after", limit=25).json()
    while True:
        seen += [item["identifier"] for item in body["_embedded"]["items"]]
        if not next_href(body):
            break
        body = emulator.api(next_href(body), token).json()

    assert len(seen) == 45
    assert seen == sorted(set(seen))


def test_search_after_on_a_large_catalog_starts_at_the_cursor(make_emulator):
    emulator = make_emulator(product_count=100_000)
    token = emulator.token()
    first = emulator.api("products-uuid", token, pagination_type="search_after", limit=100).json()

    second = emulator.api(next_href(first), token).json()

    last_of_first = first["_embedded"]["items"][-1]["uuid"]
    assert second["_embedded"]["items"][0]["uuid"] > last_of_first
    assert len(second["_embedded"]["items"]) == 100


# --- limits and parameter errors -----------------------------------------------------------


def test_limit_up_to_100_is_accepted(emulator, token):
    assert len(emulator.api("products", token, limit=100).json()["_embedded"]["items"]) == 45


def test_limit_over_100_is_422(emulator, token):
    response = emulator.api("products-uuid", token, limit=101)

    assert response.status_code == 422
    assert response.json() == {"code": 422, "message": "You cannot request more than 100 items."}


@pytest.mark.parametrize("limit", ["0", "-5", "ten", "2.5"])
def test_non_positive_or_non_integer_limit_is_422(emulator, token, limit):
    response = emulator.api("products-uuid", token, limit=limit)

    assert response.status_code == 422
    assert response.json() == {"code": 422, "message": f'"{limit}" is not a valid limit number.'}


def test_invalid_page_is_422(emulator, token):
    response = emulator.api("products-uuid", token, page=0)

    assert response.status_code == 422
    assert response.json()["message"] == '"0" is not a valid page number.'


def test_unknown_pagination_type_is_422(emulator, token):
    response = emulator.api("products-uuid", token, pagination_type="cursor")

    assert response.status_code == 422
    assert response.json()["message"] == "Pagination type does not exist."


def test_page_mode_beyond_10000_items_points_to_search_after(emulator, token):
    response = emulator.api("products-uuid", token, page=101, limit=100)

    assert response.status_code == 422
    assert "Please use the search after pagination type instead" in response.json()["message"]


# --- the products themselves ---------------------------------------------------------------


def test_uuid_items_carry_uuid_and_legacy_items_do_not(emulator, token):
    uuid_item = emulator.api("products-uuid", token).json()["_embedded"]["items"][0]
    legacy_item = emulator.api("products", token).json()["_embedded"]["items"][0]

    assert "uuid" in uuid_item
    assert "uuid" not in legacy_item
    assert legacy_item["_links"]["self"]["href"].endswith(f"/products/{legacy_item['identifier']}")


def test_products_have_the_akeneo_shape_with_english_and_french_names(emulator, token):
    item = emulator.api("products-uuid", token).json()["_embedded"]["items"][0]

    assert item["uuid"] == str(uuid.uuid5(PRODUCT_NAMESPACE, item["identifier"]))
    assert {"identifier", "family", "categories", "enabled", "values", "created", "updated"} <= set(item)
    names = {value["locale"]: value["data"] for value in item["values"]["name"]}
    assert set(names) == {"en_US", "fr_FR"}
    assert all(value["scope"] is None for value in item["values"]["name"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", item["created"])


def test_products_are_the_same_on_every_run(make_emulator):
    def products(emulator):
        items = emulator.api("products-uuid", emulator.token()).json()["_embedded"]["items"]
        return [{k: v for k, v in item.items() if k != "_links"} for item in items]

    assert products(make_emulator()) == products(make_emulator())


def test_products_spread_over_several_families(emulator, token):
    items = emulator.api("products", token, limit=100).json()["_embedded"]["items"]

    assert len({item["family"] for item in items}) >= 5


def test_self_link_returns_the_product(emulator, token):
    item = emulator.api("products-uuid", token).json()["_embedded"]["items"][3]

    product = emulator.api(item["_links"]["self"]["href"], token).json()

    assert product["uuid"] == item["uuid"]
    assert product["values"] == item["values"]


def test_legacy_product_by_identifier(emulator, token):
    item = emulator.api("products", token).json()["_embedded"]["items"][0]

    product = emulator.api(f"products/{item['identifier']}", token).json()

    assert product["identifier"] == item["identifier"]
    assert "uuid" not in product


def test_unknown_uuid_is_404(emulator, token):
    response = emulator.api(f"products-uuid/{UNKNOWN_UUID}", token)

    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "message": f'Product "{UNKNOWN_UUID}" does not exist or you do not have permission to access it.',
    }


def test_unknown_identifier_is_404(emulator, token):
    response = emulator.api("products/NOPE-1", token)

    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_single_products_need_a_token_too(emulator):
    assert emulator.api(f"products-uuid/{UNKNOWN_UUID}").status_code == 401


def test_unknown_api_routes_answer_json_404(emulator, token):
    response = emulator.api("reference-entities", token)

    assert response.status_code == 404
    assert response.json()["code"] == 404


def test_product_links_follow_the_host_the_request_came_in_on(emulator, token):
    local = emulator.url.replace("127.0.0.1", "localhost")

    body = emulator.api(f"{local}/api/rest/v1/products-uuid", token, pagination_type="search_after").json()

    assert body["_links"]["next"]["href"].startswith(f"{local}/api/rest/v1/products-uuid?")
    assert body["_embedded"]["items"][0]["_links"]["self"]["href"].startswith(
        f"{local}/api/rest/v1/products-uuid/"
    )
