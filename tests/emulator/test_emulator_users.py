"""Two pretend PIM users: Julia may manage Apps, Sam may only open them."""

import jwt

from emulator_support import CALLBACK_URL, query_of


def as_sam(emulator):
    response = emulator.control("user", {"user": "sam"})
    assert response.status_code == 200
    return response.json()


def test_julia_is_signed_in_at_first(emulator):
    assert emulator.state()["user"] == "julia"


def test_the_control_api_switches_the_user(emulator):
    assert as_sam(emulator)["user"] == "sam"


def test_an_unknown_user_is_refused(emulator):
    response = emulator.control("user", {"user": "mallory"})

    assert response.status_code == 400
    assert "julia, sam" in response.json()["error"]


def test_a_user_who_cannot_manage_apps_cannot_connect_one(emulator):
    as_sam(emulator)

    response = emulator.authorize("read_products")

    assert response.status_code == 403
    assert "may not connect Apps" in response.text


def test_opening_a_connected_app_with_new_scopes_keeps_the_old_ones_without_a_wizard(emulator):
    emulator.connect("read_products")
    as_sam(emulator)

    response = emulator.authorize("read_products write_products")

    assert response.status_code == 302
    assert response.headers["Location"].startswith(CALLBACK_URL + "?")
    grant = emulator.exchange(query_of(response.headers["Location"])["code"][0]).json()
    assert grant["scope"] == "read_products"
    assert emulator.state()["granted_scopes"] == ["read_products"]


def test_opening_with_fewer_scopes_does_not_shrink_them_either(emulator):
    emulator.connect("read_products write_products")
    as_sam(emulator)

    emulator.connect("read_products")

    assert emulator.state()["granted_scopes"] == ["read_products", "write_products"]


def test_a_manager_asking_for_new_scopes_gets_the_wizard(emulator):
    emulator.connect("read_products")

    response = emulator.authorize("read_products write_products")

    assert "/connect/apps/authorize?client_id=" in response.headers["Location"]


def test_each_user_has_a_sub_of_their_own_and_their_own_name(emulator):
    julia = jwt.decode(
        emulator.connect("openid profile email")["id_token"], options={"verify_signature": False}
    )
    as_sam(emulator)
    sam = jwt.decode(
        emulator.connect("openid profile email")["id_token"], options={"verify_signature": False}
    )

    assert sam["sub"] != julia["sub"]
    assert (sam["firstname"], sam["lastname"], sam["email"]) == ("Sam", "Rivera", "sam@example.com")
    assert (julia["firstname"], julia["email"]) == ("Julia", "julia@example.com")


def test_a_user_without_the_manage_right_still_consents_to_share_profile_and_email(emulator):
    emulator.connect("openid read_products")
    as_sam(emulator)

    response = emulator.authorize("openid profile read_products")

    assert "/connect/apps/authenticate?client_id=" in response.headers["Location"]
    allowed = emulator.allow()
    assert allowed.headers["Location"].startswith(CALLBACK_URL + "?")
    assert emulator.state()["granted_scopes"] == ["read_products"]


def test_the_app_store_offers_the_user_switch_and_no_connect_button_to_sam(emulator):
    as_sam(emulator)

    page = emulator.page("/connect/app-store").text

    assert "Switch user" in page
    assert "Sam Rivera" in page
    assert 'id="cannot-connect"' in page
    assert ">Connect</a>" not in page


def test_the_switch_form_signs_the_other_user_in(emulator):
    response = emulator.browser.post(
        f"{emulator.url}/connect/app-store/user", data={"user": "sam"}, timeout=10
    )

    assert response.status_code == 200
    assert "Signed in as Sam Rivera" in response.text
    assert emulator.state()["user"] == "sam"


def test_reset_signs_julia_in_again(emulator):
    as_sam(emulator)

    emulator.control("reset")

    assert emulator.state()["user"] == "julia"
