"""GET /connect/apps/v1/authorize: validation, scope parsing and the redirect to the callback."""

import pytest

from emulator_support import APP_URL, CALLBACK_URL, CLIENT_ID, query_of

ERROR_PAGE = "/connect/apps/authorize?error="
KEY = "akeneo_connectivity.connection.connect.apps."


def assert_error_page(emulator, response, error_key):
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(ERROR_PAGE), location
    assert not location.startswith(APP_URL)
    assert query_of(location)["error"] == [error_key]
    page = emulator.page(location)
    assert page.status_code == 400
    assert error_key in page.text


@pytest.mark.parametrize("client_id", ["unknown-app", ""], ids=["unknown", "empty"])
def test_unknown_or_empty_client_id_shows_app_not_found_in_the_pim(emulator, client_id):
    response = emulator.authorize("read_products", client_id=client_id)

    assert_error_page(emulator, response, KEY + "error.app_not_found")


def test_missing_response_type_shows_not_blank(emulator):
    response = emulator.authorize("read_products", response_type=None)

    assert_error_page(emulator, response, KEY + "constraint.response_type.not_blank")


def test_response_type_other_than_code_shows_must_be_code(emulator):
    response = emulator.authorize("read_products", response_type="token")

    assert_error_page(emulator, response, KEY + "constraint.response_type.must_be_code")


def test_unknown_client_id_is_checked_before_response_type(emulator):
    response = emulator.authorize("read_products", client_id="nope", response_type="token")

    assert_error_page(emulator, response, KEY + "error.app_not_found")


def test_scope_over_1000_characters_shows_too_long(emulator):
    scope = ("read_products " * 72)[:1001]

    response = emulator.authorize(scope)

    assert_error_page(emulator, response, KEY + "constraint.scope.too_long")


def test_scope_of_exactly_1000_characters_is_accepted(make_emulator):
    emulator = make_emulator(auto_consent=True)
    scope = "read_products" + " " * (1000 - len("read_products"))

    response = emulator.authorize(scope)

    assert response.headers["Location"].startswith(CALLBACK_URL)


def test_authorize_is_get_only(emulator):
    response = emulator.browser.post(
        f"{emulator.url}/connect/apps/v1/authorize",
        params={"client_id": CLIENT_ID, "response_type": "code"},
        timeout=10,
    )

    assert response.status_code == 405


def test_unknown_scopes_are_dropped_duplicates_removed_and_the_rest_sorted(emulator):
    emulator.connect("write_products  read_products read_everything read_products openid")

    assert emulator.state()["granted_scopes"] == ["read_products", "write_products"]


def test_scopes_are_split_on_spaces_only(emulator):
    emulator.connect("read_products,write_products read_categories")

    assert emulator.state()["granted_scopes"] == ["read_categories"]


def test_every_documented_scope_is_known(make_emulator):
    emulator = make_emulator(auto_consent=True)
    documented = (
        "read_products write_products delete_products read_catalog_structure "
        "write_catalog_structure read_attribute_options write_attribute_options read_categories "
        "write_categories read_channel_localization read_channel_settings write_channel_settings "
        "read_association_types write_association_types read_catalogs write_catalogs "
        "delete_catalogs read_asset_families write_asset_families read_assets write_assets "
        "delete_assets read_reference_entities write_reference_entities "
        "read_reference_entity_records write_reference_entity_records read_workflows "
        "read_workflow_step_assignees read_workflow_tasks write_workflow_tasks create_suggestions "
        "read_suggestions manage_suggestions"
    )

    emulator.connect(documented)

    assert emulator.state()["granted_scopes"] == sorted(documented.split())


def test_redirect_uri_is_ignored(make_emulator):
    emulator = make_emulator(auto_consent=True)

    response = emulator.authorize("read_products", redirect_uri="https://evil.example.test/cb")

    assert response.headers["Location"].startswith(CALLBACK_URL + "?code=")


def test_success_redirects_to_the_callback_with_code_then_state(make_emulator):
    emulator = make_emulator(auto_consent=True)

    location = emulator.authorize("read_products", state="abc123").headers["Location"]

    assert location.startswith(CALLBACK_URL + "?code=")
    assert location.endswith("&state=abc123")
    assert sorted(query_of(location)) == ["code", "state"]


def test_state_is_echoed_exactly_and_encoded_like_php(make_emulator):
    emulator = make_emulator(auto_consent=True)
    state = "a b/c+d=é&x"

    location = emulator.authorize("read_products", state=state).headers["Location"]

    assert query_of(location)["state"] == [state]
    assert location.endswith("&state=a+b%2Fc%2Bd%3D%C3%A9%26x")


def test_absent_state_is_omitted_from_the_callback(make_emulator):
    emulator = make_emulator(auto_consent=True)

    location = emulator.authorize("read_products").headers["Location"]

    assert "state" not in query_of(location)


def test_empty_state_is_echoed_as_empty(make_emulator):
    emulator = make_emulator(auto_consent=True)

    location = emulator.authorize("read_products", state="").headers["Location"]

    assert location.endswith("&state=")


def test_the_callback_never_carries_error_or_pim_url(make_emulator):
    emulator = make_emulator(auto_consent=True)

    location = emulator.authorize("read_products", state="s").headers["Location"]

    assert not {"error", "error_description", "pim_url"} & set(query_of(location))
