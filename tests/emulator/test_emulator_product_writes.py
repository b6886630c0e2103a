"""Products written and searched through the API: create, PATCH merge rules, delete, the 422s, `search`."""

import json

import pytest
import requests

WRITE = "read_products write_products delete_products"


@pytest.fixture
def token(emulator):
    return emulator.token(WRITE)


def create(emulator, token, **fields):
    body = {"identifier": "NEW-1", "family": "mugs", **fields}
    response = emulator.send("POST", "products-uuid", token, body)
    assert response.status_code == 201, response.text
    return response.headers["Location"]


def test_a_created_product_answers_201_with_its_location(emulator, token):
    location = create(
        emulator, token, values={"name": [{"locale": "en_US", "scope": None, "data": "Tea mug"}]}
    )

    product = requests.get(location, headers={"Authorization": f"Bearer {token}"}, timeout=10).json()

    assert product["identifier"] == "NEW-1"
    assert product["values"]["name"] == [{"locale": "en_US", "scope": None, "data": "Tea mug"}]
    assert product["values"]["sku"] == [{"locale": None, "scope": None, "data": "NEW-1"}]


def test_patch_replaces_only_the_given_values_and_keeps_the_others(emulator, token):
    location = create(
        emulator,
        token,
        values={
            "name": [
                {"locale": "en_US", "scope": None, "data": "Tea mug"},
                {"locale": "fr_FR", "scope": None, "data": "Mug à thé"},
            ],
            "color": [{"locale": None, "scope": None, "data": "red"}],
        },
        categories=["kitchen", "new_arrivals"],
    )
    product_uuid = location.rsplit("/", 1)[1]

    response = emulator.send(
        "PATCH",
        f"products-uuid/{product_uuid}",
        token,
        {
            "values": {"name": [{"locale": "en_US", "scope": None, "data": "Coffee mug"}]},
            "categories": ["kitchen"],
        },
    )
    product = emulator.api(f"products-uuid/{product_uuid}", token).json()

    assert response.status_code == 204
    assert sorted(v["data"] for v in product["values"]["name"]) == ["Coffee mug", "Mug à thé"]
    assert product["values"]["color"] == [{"locale": None, "scope": None, "data": "red"}]
    assert product["categories"] == ["kitchen"]


def test_patch_of_an_unknown_uuid_creates_the_product(emulator, token):
    product_uuid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

    response = emulator.send("PATCH", f"products-uuid/{product_uuid}", token, {"identifier": "BY-PATCH"})

    assert response.status_code == 201
    assert emulator.api(f"products-uuid/{product_uuid}", token).json()["identifier"] == "BY-PATCH"


def test_delete_removes_the_product_from_get_and_lists(emulator, token):
    first = emulator.api("products-uuid", token, limit=1).json()["_embedded"]["items"][0]

    response = emulator.send("DELETE", f"products-uuid/{first['uuid']}", token, "")

    assert response.status_code == 204
    assert emulator.api(f"products-uuid/{first['uuid']}", token).status_code == 404
    listed = emulator.api("products-uuid", token, limit=100).json()["_embedded"]["items"]
    assert first["uuid"] not in {p["uuid"] for p in listed}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"identifier": "X", "colour": "red"}, 'Property "colour" does not exist.'),
        (
            {"identifier": "X", "family": "boats"},
            'Property "family" expects a valid family code. The family does not exist, "boats" given.',
        ),
        (
            {"identifier": "X", "categories": ["boats"]},
            'Property "categories" expects a valid category code. '
            'The category does not exist, "boats" given.',
        ),
    ],
)
def test_property_mistakes_answer_the_documented_422(emulator, token, body, message):
    response = emulator.send("POST", "products-uuid", token, body)

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "message": f"{message} Check the expected format on the API documentation.",
        "_links": {"documentation": {"href": "http://api.akeneo.com/api-reference.html#post_products_uuid"}},
    }


def test_a_taken_identifier_fails_validation(emulator, token):
    create(emulator, token)

    response = emulator.send("POST", "products-uuid", token, {"identifier": "NEW-1"})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "message": "Validation failed.",
        "errors": [
            {"property": "identifier", "message": "The NEW-1 identifier is already used for another product."}
        ],
    }


def test_the_identifier_may_come_from_the_identifier_value(emulator, token):
    body = {"values": {"sku": [{"locale": None, "scope": None, "data": "FROM-VALUE"}]}}

    location = emulator.send("POST", "products-uuid", token, body).headers["Location"]

    assert emulator.get_json(location, token)["identifier"] == "FROM-VALUE"


def test_an_unknown_parent_answers_the_documented_422(emulator, token):
    response = emulator.send("POST", "products-uuid", token, {"identifier": "X", "parent": "nothing"})

    assert response.status_code == 422
    assert response.json()["message"] == (
        'Property "parent" expects a valid parent code. '
        'The parent product model does not exist, "nothing" given. '
        "Check the expected format on the API documentation."
    )


def test_associations_are_merged_per_type_with_product_uuids(emulator, token):
    location = create(emulator, token, associations={"X_SELL": {"product_models": ["shoes_alpine"]}})
    product_uuid = location.rsplit("/", 1)[1]

    emulator.send(
        "PATCH", f"products-uuid/{product_uuid}", token, {"associations": {"UPSELL": {"groups": []}}}
    )
    associations = emulator.api(f"products-uuid/{product_uuid}", token).json()["associations"]

    assert associations["X_SELL"] == {"groups": [], "product_uuids": [], "product_models": ["shoes_alpine"]}
    assert associations["UPSELL"] == {"groups": [], "product_uuids": [], "product_models": []}


def test_invalid_json_bodies_answer_400(emulator, token):
    response = emulator.send("POST", "products-uuid", token, "{not json")

    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "Invalid json message received"}


@pytest.mark.parametrize(
    ("scope", "method", "path", "message"),
    [
        ("read_products", "POST", "products-uuid", "create or update products"),
        ("write_products", "DELETE", "products-uuid/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "delete products"),
    ],
)
def test_writes_need_their_scope(emulator, scope, method, path, message):
    response = emulator.send(method, path, emulator.token(scope), {"identifier": "X"})

    assert response.status_code == 403
    assert response.json()["message"] == f"Access forbidden. You are not allowed to {message}."


# --- search -------------------------------------------------------------------------------------


def search(emulator, token, criteria, **params):
    response = emulator.api("products-uuid", token, search=json.dumps(criteria), limit=100, **params)
    assert response.status_code == 200, response.text
    return response.json()["_embedded"]["items"]


def test_search_by_family_and_enabled(emulator, token):
    items = search(
        emulator,
        token,
        {"family": [{"operator": "IN", "value": ["mugs"]}], "enabled": [{"operator": "=", "value": True}]},
    )

    assert items
    assert {p["family"] for p in items} == {"mugs"}
    assert all(p["enabled"] for p in items)


def test_search_by_category_and_attribute_value(emulator, token):
    items = search(
        emulator,
        token,
        {
            "categories": [{"operator": "IN", "value": ["new_arrivals"]}],
            "color": [{"operator": "IN", "value": ["black"]}],
        },
    )

    assert items
    assert all("new_arrivals" in p["categories"] for p in items)
    assert all(p["values"]["color"][0]["data"] == "black" for p in items)


def test_search_on_a_localizable_text_with_contains(emulator, token):
    items = search(emulator, token, {"name": [{"operator": "CONTAINS", "value": "mug", "locale": "en_US"}]})

    assert items
    assert all(p["family"] == "mugs" for p in items)


def test_search_by_completeness_on_a_channel(emulator, token):
    everything = emulator.api("products-uuid", token, limit=100).json()["_embedded"]["items"]
    complete = search(
        emulator,
        token,
        {
            "completeness": [
                {
                    "operator": "GREATER OR EQUALS THAN ON ALL LOCALES",
                    "value": 100,
                    "scope": "ecommerce",
                    "locales": ["en_US", "fr_FR"],
                }
            ]
        },
    )

    assert 0 < len(complete) < len(everything)
    assert all(len(p["values"]["description"]) == 2 for p in complete)


def test_search_by_uuid_in(emulator, token):
    wanted = [p["uuid"] for p in emulator.api("products-uuid", token, limit=3).json()["_embedded"]["items"]]

    items = search(emulator, token, {"uuid": [{"operator": "IN", "value": wanted}]})

    assert sorted(p["uuid"] for p in items) == sorted(wanted)


def test_search_with_count_counts_the_matches(emulator, token):
    body = emulator.api(
        "products-uuid",
        token,
        search=json.dumps({"family": [{"operator": "IN", "value": ["mugs"]}]}),
        with_count="true",
    ).json()

    assert body["items_count"] == len(
        search(emulator, token, {"family": [{"operator": "IN", "value": ["mugs"]}]})
    )


def test_scope_locales_and_attributes_narrow_the_values(emulator, token):
    items = emulator.api(
        "products-uuid", token, scope="mobile", attributes="name,description", limit=5
    ).json()

    for product in items["_embedded"]["items"]:
        assert set(product["values"]) <= {"name", "description"}
        assert all(v["locale"] in (None, "en_US") for values in product["values"].values() for v in values)
        assert "description" not in product["values"]  # only on ecommerce


def test_invalid_search_json_answers_400(emulator, token):
    response = emulator.api("products-uuid", token, search="{family")

    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "Search query parameter should be valid JSON."}


def test_an_unsupported_filter_answers_422(emulator, token):
    response = emulator.api(
        "products-uuid", token, search=json.dumps({"colour": [{"operator": "=", "value": 1}]})
    )

    assert response.status_code == 422
    assert (
        response.json()["message"]
        == 'Filter on property "colour" is not supported or does not support operator "="'
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            {"name": [{"locale": None, "scope": None, "data": "x"}]},
            'Attribute "name" expects a locale, none given.',
        ),
        (
            {"color": [{"locale": "en_US", "scope": None, "data": "red"}]},
            'Attribute "color" does not expect a locale, "en_US" given.',
        ),
        (
            {"description": [{"locale": "en_US", "scope": None, "data": "x"}]},
            'Attribute "description" expects a scope, none given.',
        ),
        (
            {"description": [{"locale": "en_US", "scope": "print", "data": "x"}]},
            'Attribute "description" expects an existing scope, "print" given.',
        ),
        ({"colour": [{"locale": None, "scope": None, "data": "red"}]}, 'Property "colour" does not exist.'),
    ],
)
def test_values_in_the_wrong_context_answer_the_documented_422(emulator, token, value, message):
    response = emulator.send("POST", "products-uuid", token, {"identifier": "X", "values": value})

    assert response.status_code == 422
    assert response.json()["message"] == f"{message} Check the expected format on the API documentation."


def test_an_unknown_option_fails_validation(emulator, token):
    body = {"identifier": "X", "values": {"color": [{"locale": None, "scope": None, "data": "purple"}]}}

    response = emulator.send("POST", "products-uuid", token, body)

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "message": "Validation failed.",
        "errors": [
            {
                "property": "values",
                "message": "The purple value is not in the color attribute option list.",
                "attribute": "color",
                "locale": None,
                "scope": None,
            }
        ],
    }


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        (
            {"search": '{"name":{"operator": "="}}'},
            422,
            'Structure of filter "name" should respect this structure: '
            '{"name":[{"operator": "my_operator", "value": "my_value"}]}',
        ),
        ({"search": '{"name":[{"value":"x"}]}'}, 422, 'Operator is missing for the property "name".'),
        (
            {"search": '{"name":[{"operator":"CONTAINS","value":"x"}]}'},
            422,
            'Attribute "name" expects a locale, none given.',
        ),
        (
            {
                "search": '{"completeness":[{"operator":"GREATER THAN ON ALL LOCALES",'
                '"scope":"ecommerce","value":100}]}'
            },
            422,
            'Property "completeness" expects an array with the key "locales".',
        ),
        (
            {"search": '{"categories":[{"operator":"IN","value":["boats"]}]}'},
            422,
            'Category "boats" does not exist.',
        ),
        ({"scope": "print"}, 422, 'Scope "print" does not exist.'),
        ({"locales": "xx_XX, yy_YY"}, 422, 'Locales "xx_XX, yy_YY" do not exist or are not activated.'),
        (
            {"scope": "mobile", "locales": "fr_FR"},
            422,
            'Locale "fr_FR" is not activated for the scope "mobile".',
        ),
        ({"attributes": "colour"}, 422, 'Attribute "colour" does not exist.'),
    ],
    ids=[
        "structure",
        "no-operator",
        "no-locale",
        "no-locales",
        "category",
        "scope",
        "locales",
        "channel-locale",
        "attribute",
    ],
)
def test_list_parameters_are_checked_with_the_pims_messages(emulator, token, params, status, message):
    response = emulator.api("products-uuid", token, **params)

    assert response.status_code == status
    assert response.json() == {"code": status, "message": message}


def test_search_by_parent_gives_the_variants_of_a_product_model(emulator, token):
    items = search(emulator, token, {"parent": [{"operator": "=", "value": "shoes_alpine"}]})

    assert items
    assert {p["parent"] for p in items} == {"shoes_alpine"}


def test_search_by_update_day_and_since(emulator, token):
    first = emulator.api("products-uuid", token, limit=1).json()["_embedded"]["items"][0]
    day = first["updated"][:10] + " 00:00:00"

    same_day = search(emulator, token, {"updated": [{"operator": "=", "value": day}]})
    recent = search(emulator, token, {"updated": [{"operator": "SINCE LAST N DAYS", "value": 1}]})

    assert first["uuid"] in {p["uuid"] for p in same_day}
    assert all(p["updated"].startswith(first["updated"][:10]) for p in same_day)
    assert recent == []  # the demo products were last updated in 2024


# --- the legacy identifier endpoints ----------------------------------------------------------------


def test_legacy_create_answers_201_with_the_identifier_location(emulator, token):
    response = emulator.send("POST", "products", token, {"identifier": "LEGACY 1", "family": "mugs"})

    assert response.status_code == 201
    assert response.headers["Location"] == f"{emulator.url}/api/rest/v1/products/LEGACY%201"
    assert emulator.get_json(response.headers["Location"], token)["family"] == "mugs"


def test_legacy_create_needs_an_identifier(emulator, token):
    response = emulator.send("POST", "products", token, {"family": "mugs"})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "message": "Validation failed. The identifier field is required for this endpoint. If you want to "
        "manipulate products without identifiers, please use products-uuid endpoints.",
        "_links": {"documentation": {"href": "http://api.akeneo.com/api-reference.html#post_products_uuid"}},
    }


def test_legacy_patch_updates_or_creates_by_identifier(emulator, token):
    created = emulator.send("PATCH", "products/BY-CODE", token, {"family": "mugs"})
    updated = emulator.send("PATCH", "products/BY-CODE", token, {"enabled": False})

    product = emulator.api("products/BY-CODE", token).json()

    assert (created.status_code, updated.status_code) == (201, 204)
    assert (product["family"], product["enabled"]) == ("mugs", False)
    assert "uuid" not in product


def test_legacy_patch_creation_needs_a_matching_identifier(emulator, token):
    response = emulator.send("PATCH", "products/IN-URL", token, {"identifier": "IN-BODY"})

    assert response.status_code == 422
    assert response.json()["message"] == (
        'The identifier "IN-BODY" provided in the request body must match the identifier "IN-URL" '
        "provided in the url."
    )


def test_legacy_associations_name_products_by_identifier(emulator, token):
    target = emulator.api("products", token, limit=1).json()["_embedded"]["items"][0]["identifier"]

    emulator.send(
        "POST", "products", token, {"identifier": "PACKED", "associations": {"PACK": {"products": [target]}}}
    )
    by_identifier = emulator.api("products/PACKED", token).json()
    by_uuid = emulator.api(
        "products-uuid", token, search='{"identifier":[{"operator":"IN","value":["PACKED"]}]}'
    )

    assert by_identifier["associations"]["PACK"]["products"] == [target]
    assert by_uuid.json()["_embedded"]["items"][0]["associations"]["PACK"]["product_uuids"][0]


def test_legacy_delete_removes_the_product(emulator, token):
    identifier = emulator.api("products", token, limit=1).json()["_embedded"]["items"][0]["identifier"]

    response = emulator.send("DELETE", f"products/{identifier}", token)

    assert response.status_code == 204
    assert emulator.api(f"products/{identifier}", token).status_code == 404
