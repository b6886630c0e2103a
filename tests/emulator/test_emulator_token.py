"""POST /connect/apps/v1/oauth2/token: codes, the PIM's error table in its order, token reuse."""

import re

import pytest
import requests
from pim_emulator.codes import random_code

from emulator_support import challenge, token_request


def test_codes_are_86_alphanumeric_characters(emulator):
    code = emulator.code_for("read_products")

    assert re.fullmatch(r"[A-Za-z0-9]{86}", code)


def test_code_generator_never_yields_other_characters():
    codes = {random_code() for _ in range(500)}

    assert len(codes) == 500
    assert all(re.fullmatch(r"[A-Za-z0-9]{86}", code) for code in codes)


def test_a_valid_code_gets_a_bearer_token_with_the_granted_scopes(emulator):
    code = emulator.code_for("write_products read_categories")

    response = emulator.exchange(code)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"access_token", "token_type", "scope"}
    assert body["token_type"] == "bearer"
    assert body["scope"] == "read_categories write_products"
    assert re.fullmatch(r"[A-Za-z0-9]{86}", body["access_token"])


def test_a_code_is_single_use(emulator):
    code = emulator.code_for()
    emulator.exchange(code)

    response = emulator.exchange(code)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Code is not valid"}


def test_a_code_is_valid_for_30_seconds(emulator):
    code = emulator.code_for()

    emulator.clock.advance(30)

    assert emulator.exchange(code).status_code == 200


def test_a_code_older_than_30_seconds_has_expired(emulator):
    code = emulator.code_for()

    emulator.clock.advance(31)
    response = emulator.exchange(code)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "Code has expired"}


# One row per rule of the PIM's validator, in its order; each row breaks that rule and, where it
# shows the order, a later one too. Only the first violation is reported.
TOKEN_ERRORS = [
    ("wrong challenge", {"code_challenge": challenge(secret="other")}, "invalid_client", None),
    ("upper-case challenge", {"code_challenge": challenge().upper()}, "invalid_client", None),
    ("unknown client with full challenge", {"client_id": "other-app"}, "invalid_client", None),
    (
        "wrong challenge beats missing code",
        {"code_challenge": "0" * 64, "code": ""},
        "invalid_client",
        None,
    ),
    ("empty client_id", {"client_id": ""}, "invalid_request", None),
    ("missing client_id", {"client_id": None}, "invalid_request", None),
    ("unknown client, no identifier", {"client_id": "x", "code_identifier": ""}, "invalid_client", None),
    ("empty code", {"code": ""}, "invalid_request", None),
    ("unknown code", {"code": "A" * 86}, "invalid_grant", "Code is not valid"),
    (
        "unknown code beats bad grant_type",
        {"code": "nope", "grant_type": "password"},
        "invalid_grant",
        "Code is not valid",
    ),
    ("wrong grant_type", {"grant_type": "client_credentials"}, "unsupported_grant_type", None),
    ("missing grant_type", {"grant_type": None}, "unsupported_grant_type", None),
    (
        "bad grant_type beats empty identifier",
        {"grant_type": "x", "code_identifier": ""},
        "unsupported_grant_type",
        None,
    ),
    ("empty code_identifier", {"code_identifier": ""}, "invalid_request", None),
    ("empty code_challenge", {"code_challenge": ""}, "invalid_request", None),
]


@pytest.mark.parametrize(
    ("overrides", "error", "description"),
    [row[1:] for row in TOKEN_ERRORS],
    ids=[row[0] for row in TOKEN_ERRORS],
)
def test_token_errors_follow_the_pim_table(emulator, overrides, error, description):
    params = {"code": emulator.code_for(), **overrides}

    response = emulator.exchange(**params)

    assert response.status_code == 400
    expected = {"error": error}
    if description:
        expected["error_description"] = description
    assert response.json() == expected


def test_a_failed_exchange_does_not_use_up_the_code(emulator):
    code = emulator.code_for()
    emulator.exchange(code, grant_type="password")

    assert emulator.exchange(code).status_code == 200


def test_expired_is_reported_before_a_bad_grant_type(emulator):
    code = emulator.code_for()
    emulator.clock.advance(60)

    response = emulator.exchange(code, grant_type="password")

    assert response.json()["error_description"] == "Code has expired"


def test_a_json_body_is_accepted(emulator):
    code = emulator.code_for()

    response = requests.post(
        f"{emulator.url}/connect/apps/v1/oauth2/token",
        json=token_request(code),
        timeout=10,
    )

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


def test_the_query_string_is_not_read(emulator):
    code = emulator.code_for()

    response = requests.post(
        f"{emulator.url}/connect/apps/v1/oauth2/token",
        params=token_request(code),
        timeout=10,
    )

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request"}


def test_the_token_endpoint_is_post_only(emulator):
    response = requests.get(f"{emulator.url}/connect/apps/v1/oauth2/token", timeout=10)

    assert response.status_code == 405


def test_the_same_scopes_get_the_same_token_again(emulator):
    first = emulator.token("read_products read_categories")

    assert emulator.token("read_categories read_products") == first


def test_new_scopes_get_a_new_token_and_the_old_one_stops_working(emulator):
    old = emulator.token("read_products")

    new = emulator.token("read_products read_categories")

    assert new != old
    assert emulator.api("products-uuid", new).status_code == 200
    response = emulator.api("products-uuid", old)
    assert response.status_code == 401
    assert response.json() == {"code": 401, "message": "The access token provided is invalid."}
    assert emulator.state()["active_tokens"] == 1


def test_fewer_scopes_also_rotate_the_token(emulator):
    old = emulator.token("read_products read_categories")

    assert emulator.token("read_products") != old


def test_the_challenge_uses_the_configured_secret(make_emulator):
    emulator = make_emulator(client_secret="another-secret")
    code = emulator.code_for()

    assert emulator.exchange(code).json() == {"error": "invalid_client"}
    response = emulator.exchange(code, code_challenge=challenge(secret="another-secret"))
    assert response.status_code == 200


def test_token_requests_are_counted(emulator):
    emulator.exchange("nope")
    emulator.token()

    assert emulator.state()["token_requests"] == 2
