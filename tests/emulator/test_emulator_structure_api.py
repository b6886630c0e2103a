"""Catalog structure and settings endpoints: the scope each needs, offset pagination, get one."""

import pytest

STRUCTURE = "read_catalog_structure read_attribute_options read_categories read_channel_settings " + (
    "read_channel_localization read_association_types read_products"
)


@pytest.fixture
def token(emulator):
    return emulator.token(STRUCTURE)


@pytest.mark.parametrize(
    ("path", "codes"),
    [
        ("channels", ["ecommerce", "mobile"]),
        ("locales", ["de_DE", "en_US", "fr_FR"]),
        ("currencies", ["EUR", "GBP", "USD"]),
        ("families", ["backpacks", "headphones", "mugs", "shoes", "tshirts", "water_bottles"]),
        ("attributes", ["color", "description", "name", "price", "sku"]),
        ("attribute-groups", ["general", "marketing", "technical"]),
        ("association-types", ["PACK", "SUBSTITUTION", "UPSELL", "X_SELL"]),
        ("attributes/color/options", ["black", "blue", "green", "grey", "red", "white", "yellow"]),
        ("families/shoes/variants", ["shoes_by_color"]),
    ],
)
def test_lists_hold_the_demo_structure_sorted_by_code(emulator, token, path, codes):
    body = emulator.api(path, token, limit=100).json()

    assert [item["code"] for item in body["_embedded"]["items"]] == codes
    assert body["current_page"] == 1


def test_one_family_is_served_with_its_attributes_and_requirements(emulator, token):
    family = emulator.api("families/shoes", token).json()

    assert family["attribute_as_label"] == "name"
    assert "color" in family["attributes"]
    assert family["attribute_requirements"]["ecommerce"] == ["sku", "name", "description", "price"]


def test_an_unknown_code_answers_404(emulator, token):
    response = emulator.api("families/boats", token)

    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": 'Family "boats" does not exist.'}


@pytest.mark.parametrize(
    ("path", "scope_granted", "message"),
    [
        ("families", "read_products", "Access forbidden. You are not allowed to list families."),
        ("attributes", "read_products", "Access forbidden. You are not allowed to list attributes."),
        ("channels", "read_products", "Access forbidden. You are not allowed to list channels."),
        ("locales", "read_channel_settings", "Access forbidden. You are not allowed to list locales."),
        (
            "families/shoes/variants",
            "read_products",
            "Access forbidden. You are not allowed to list family variants.",
        ),
        ("categories", "read_products", "Access forbidden. You are not allowed to list categories."),
    ],
)
def test_each_resource_needs_its_scope(emulator, path, scope_granted, message):
    response = emulator.api(path, emulator.token(scope_granted))

    assert response.status_code == 403
    assert response.json() == {"code": 403, "message": message}


def test_structure_lists_page_by_offset_only(emulator, token):
    response = emulator.api("families", token, pagination_type="search_after")

    assert response.status_code == 422
    assert response.json() == {"code": 422, "message": "Pagination type is not supported."}


def test_offset_pages_link_to_the_next_one(emulator, token):
    body = emulator.api("families", token, limit=2, with_count="true").json()

    assert body["items_count"] == 6
    assert "page=2" in body["_links"]["next"]["href"]


def test_product_models_are_the_parents_of_variant_products(emulator, token):
    product = emulator.api("products-uuid", token, limit=1).json()["_embedded"]["items"][0]
    shoes = emulator.api("products", token, search='{"family":[{"operator":"IN","value":["shoes"]}]}').json()
    parent = shoes["_embedded"]["items"][0]["parent"]

    model = emulator.api(f"product-models/{parent}", token).json()

    assert product["family"]
    assert model["family"] == "shoes"
    assert model["family_variant"] == "shoes_by_color"


def test_links_use_the_host_the_request_came_in_on(emulator, token):
    local = emulator.url.replace("127.0.0.1", "localhost")

    body = emulator.api(f"{local}/api/rest/v1/channels", token).json()

    assert body["_links"]["self"]["href"].startswith(f"{local}/api/rest/v1/channels?")
    assert (
        body["_embedded"]["items"][0]["_links"]["self"]["href"] == f"{local}/api/rest/v1/channels/ecommerce"
    )
