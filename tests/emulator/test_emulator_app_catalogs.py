"""Catalogs for Apps: the App's CRUD, the person's screen that enables them, and their products."""

import pytest

CATALOGS = "read_catalogs write_catalogs delete_catalogs read_products"
UNKNOWN = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture
def token(emulator):
    return emulator.token(CATALOGS)


def create(emulator, token, name="Store US"):
    response = emulator.send("POST", "catalogs", token, {"name": name})
    assert response.status_code == 201, response.text
    return response.json()


def configure(emulator, catalog_id, *, enabled=True, families=(), categories=(), enabled_only=True):
    form = [("families", code) for code in families] + [("categories", code) for code in categories]
    if enabled:
        form.append(("enabled", "1"))
    if enabled_only:
        form.append(("enabled_only", "1"))
    response = emulator.browser.post(
        f"{emulator.url}/connect/apps/v1/catalogs/{catalog_id}", data=form, allow_redirects=False, timeout=10
    )
    assert response.status_code == 303


def test_a_new_catalog_is_disabled(emulator, token):
    catalog = create(emulator, token)

    assert catalog["name"] == "Store US"
    assert catalog["enabled"] is False
    assert emulator.api(f"catalogs/{catalog['id']}", token).json() == catalog


def test_a_blank_name_fails_validation(emulator, token):
    response = emulator.send("POST", "catalogs", token, {"name": ""})

    assert response.status_code == 422
    assert response.json() == {
        "code": 422,
        "message": "Validation failed.",
        "errors": [{"property": "name", "message": "This value should not be blank."}],
    }


def test_an_app_lists_renames_and_deletes_its_catalogs(emulator, token):
    catalog = create(emulator, token)

    renamed = emulator.send("PATCH", f"catalogs/{catalog['id']}", token, {"name": "Store FR"})
    listed = emulator.api("catalogs", token).json()
    deleted = emulator.send("DELETE", f"catalogs/{catalog['id']}", token)

    assert renamed.json()["name"] == "Store FR"
    assert [item["name"] for item in listed["_embedded"]["items"]] == ["Store FR"]
    assert deleted.status_code == 204
    assert emulator.api(f"catalogs/{catalog['id']}", token).status_code == 404


def test_an_unknown_catalog_answers_the_pims_404(emulator, token):
    response = emulator.api(f"catalogs/{UNKNOWN}", token)

    assert response.status_code == 404
    assert response.json()["message"] == f'Catalog "{UNKNOWN}" does not exist or you can\'t access it.'


def test_catalogs_need_their_scopes(emulator):
    token = emulator.token("read_products")

    response = emulator.api("catalogs", token)

    assert response.status_code == 403
    assert response.json()["message"] == "Access forbidden. You are not allowed to access app catalogs."


def test_an_app_creates_up_to_fifteen_catalogs(emulator, token):
    for number in range(15):
        create(emulator, token, f"Store {number}")

    response = emulator.send("POST", "catalogs", token, {"name": "One too many"})

    assert response.status_code == 422


def test_a_disabled_catalog_answers_200_with_an_error(emulator, token):
    catalog = create(emulator, token)

    response = emulator.api(f"catalogs/{catalog['id']}/product-uuids", token)

    assert response.status_code == 200
    assert response.json() == {
        "error": f"No products to synchronize. The catalog {catalog['id']} has been disabled on the PIM side."
        " Note that you can get catalogs status with the GET /api/rest/v1/catalogs endpoint."
    }


def test_the_catalog_screen_enables_a_catalog_and_sets_its_selection(emulator, token):
    catalog = create(emulator, token)
    page = emulator.page(f"/connect/apps/v1/catalogs/{catalog['id']}")

    configure(emulator, catalog["id"], families=["mugs"])
    items = emulator.api(f"catalogs/{catalog['id']}/products", token, limit=100).json()["_embedded"]["items"]

    assert page.status_code == 200
    assert "Enable catalog" in page.text
    assert emulator.api(f"catalogs/{catalog['id']}", token).json()["enabled"] is True
    assert items
    assert {product["family"] for product in items} == {"mugs"}
    assert all(product["enabled"] for product in items)


def test_product_uuids_page_with_search_after(emulator, token):
    catalog = create(emulator, token)
    configure(emulator, catalog["id"], categories=["outdoor"], enabled_only=False)

    first = emulator.api(f"catalogs/{catalog['id']}/product-uuids", token, limit=3).json()
    second = emulator.get_json(first["_links"]["next"]["href"], token)

    assert len(first["_embedded"]["items"]) == 3
    assert f"search_after={first['_embedded']['items'][-1]}" in first["_links"]["next"]["href"]
    assert second["_embedded"]["items"][0] > first["_embedded"]["items"][-1]


def test_catalog_product_queries_are_validated(emulator, token):
    catalog = create(emulator, token)

    response = emulator.api(f"catalogs/{catalog['id']}/products", token, limit=0, updated_after="2024-01-01")

    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"property": "limit", "message": "This value should be between 1 and 1000."},
        {"property": "updatedAfter", "message": "ISO 8601 format is required."},
    ]


def test_mapped_products_follow_the_apps_schema(emulator, token):
    catalog = create(emulator, token)
    configure(emulator, catalog["id"], families=["mugs"])
    schema = {
        "$schema": "https://api.akeneo.com/mapping/product/0.0.13/schema",
        "properties": {"uuid": {"type": "string"}, "name": {"type": "string"}, "title": {"type": "string"}},
    }

    before = emulator.api(f"catalogs/{catalog['id']}/mapped-products", token).json()
    stored = emulator.send("PUT", f"catalogs/{catalog['id']}/mapping-schemas/product", token, schema)
    after = emulator.api(f"catalogs/{catalog['id']}/mapped-products", token, limit=1).json()

    assert before == {
        "error": "Impossible to map products: no product mapping schema available for this catalog."
    }
    assert stored.status_code == 204
    mapped = after["_embedded"]["items"][0]
    assert set(mapped) == {"uuid", "name", "title"}
    assert "mug" in mapped["name"]
    assert mapped["title"] is None


def test_a_reconnected_app_still_has_its_catalogs(emulator, token):
    catalog = create(emulator, token)

    emulator.control("disconnect")
    response = emulator.api(f"catalogs/{catalog['id']}", emulator.token(CATALOGS))

    assert response.status_code == 200  # catalogs belong to the App (its client_id), not to one token


def test_a_mapping_schema_that_is_not_json_answers_400(emulator, token):
    catalog = create(emulator, token)

    response = emulator.send("PUT", f"catalogs/{catalog['id']}/mapping-schemas/product", token, "{")

    assert response.status_code == 400


def test_the_app_store_links_to_each_catalog_screen(emulator, token):
    catalog = create(emulator, token, "Store DE")

    page = emulator.page("/connect/app-store")

    assert f'href="/connect/apps/v1/catalogs/{catalog["id"]}"' in page.text
    assert "Store DE" in page.text


def test_the_screen_of_an_unknown_catalog_answers_404(emulator):
    page = emulator.page(f"/connect/apps/v1/catalogs/{UNKNOWN}")

    assert page.status_code == 404
    assert "Catalog not found" in page.text
