"""Disconnect, scopes/update, faults on demand and the /_emulator control API."""

import time

import pytest
import requests

from emulator_support import CLIENT_ID

RATE_LIMITED = {"code": 429, "message": "You have exceeded the limit of API requests per second."}


def scopes_update(emulator, token, scopes="read_products write_products"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(
        f"{emulator.url}/connect/apps/v1/scopes/update",
        params={"scopes": scopes},
        headers=headers,
        timeout=10,
    )


# --- state and reset -----------------------------------------------------------------------


def test_state_of_a_fresh_emulator(emulator):
    assert emulator.state() == {
        "connected": False,
        "client_id": CLIENT_ID,
        "granted_scopes": [],
        "authentication_scopes": [],
        "connected_at": None,
        "outdated_scopes": False,
        "requested_scopes": [],
        "active_tokens": 0,
        "token_requests": 0,
        "public_key_requests": 0,
        "scope_notices": 0,
        "user": "julia",
        "faults": {
            "token_endpoint": None,
            "hang_seconds": 20.0,
            "latency_ms": 0,
            "id_token": None,
            "rate_limit": None,
        },
    }


def test_state_of_a_connected_app(emulator):
    emulator.connect("openid read_products")

    state = emulator.state()

    assert state["connected"] is True
    assert state["granted_scopes"] == ["read_products"]
    assert state["authentication_scopes"] == ["openid"]
    assert state["connected_at"] == pytest.approx(emulator.clock())
    assert state["active_tokens"] == 1
    assert state["token_requests"] == 1


def test_reset_forgets_connection_tokens_and_faults(emulator):
    token = emulator.token()
    emulator.control("faults", {"latency_ms": 5, "token_endpoint": "fail"})

    response = emulator.control("reset")

    assert response.status_code == 200
    assert response.json()["connected"] is False
    assert emulator.state()["faults"]["token_endpoint"] is None
    assert emulator.api("products-uuid", token).status_code == 401


# --- disconnect ----------------------------------------------------------------------------


def test_disconnect_revokes_tokens_and_forgets_the_connection(emulator):
    emulator.connect("openid read_products")

    state = emulator.control("disconnect").json()

    assert state["connected"] is False
    assert state["granted_scopes"] == []
    assert state["authentication_scopes"] == []
    assert state["active_tokens"] == 0


def test_after_disconnect_connect_starts_from_zero(emulator):
    emulator.connect("read_products")
    emulator.control("disconnect")

    response = emulator.authorize("read_products")

    assert response.headers["Location"] == f"/connect/apps/authorize?client_id={CLIENT_ID}"


def test_codes_issued_before_a_disconnect_are_void(emulator):
    emulator.connect("read_products")
    code = emulator.code_for("read_products")
    emulator.control("disconnect")

    assert emulator.exchange(code).json() == {
        "error": "invalid_grant",
        "error_description": "Code is not valid",
    }


def test_old_tokens_stay_disconnected_after_a_reconnection(emulator):
    old = emulator.token("read_products")
    emulator.control("disconnect")
    new = emulator.token("read_products")

    assert new != old
    assert emulator.api("products-uuid", new).status_code == 200
    assert "disconnected" in emulator.api("products-uuid", old).json()["message"]


# --- scopes/update -------------------------------------------------------------------------


def test_scopes_update_answers_ok_and_flags_the_app(emulator):
    token = emulator.token("read_products")

    response = scopes_update(emulator, token, "read_products write_products")

    assert response.status_code == 200
    assert response.json() == "Ok"
    state = emulator.state()
    assert state["outdated_scopes"] is True
    assert state["requested_scopes"] == ["read_products", "write_products"]
    assert state["granted_scopes"] == ["read_products"]


def test_scopes_update_notices_are_counted(emulator):
    token = emulator.token("read_products")
    scopes_update(emulator, token)
    scopes_update(emulator, token)

    assert emulator.state()["scope_notices"] == 2


def test_outdated_scopes_show_on_the_app_store_card(emulator):
    scopes_update(emulator, emulator.token())

    assert "Asks for new scopes" in emulator.page("/connect/app-store").text


def test_scopes_update_needs_a_valid_token(emulator):
    response = scopes_update(emulator, None)

    assert response.status_code == 401
    assert response.json()["message"] == "Authentication is required"
    assert scopes_update(emulator, "bogus").status_code == 401


# --- faults --------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after_for_the_next_n_calls(emulator):
    token = emulator.token()
    emulator.control("faults", {"rate_limit": dict(count=2, retry_after=3)})

    responses = [emulator.api("products-uuid", token) for _ in range(3)]

    assert [r.status_code for r in responses] == [429, 429, 200]
    assert responses[0].headers["Retry-After"] == "3"
    assert responses[0].json() == RATE_LIMITED
    assert emulator.state()["faults"]["rate_limit"] is None


def test_token_endpoint_fail_answers_500_until_cleared(emulator):
    code = emulator.code_for()
    emulator.control("faults", {"token_endpoint": "fail"})

    assert emulator.exchange(code).status_code == 500
    assert emulator.exchange(code).status_code == 500
    emulator.control("faults", {"token_endpoint": None})
    assert emulator.exchange(code).status_code == 200
    assert emulator.state()["token_requests"] == 3


def test_token_endpoint_hang_sleeps_then_answers(emulator):
    code = emulator.code_for()
    emulator.control("faults", {"token_endpoint": "hang", "hang_seconds": 0.3})

    started = time.monotonic()
    response = emulator.exchange(code)

    assert time.monotonic() - started >= 0.3
    assert response.status_code == 200


def test_a_hanging_token_endpoint_times_out_a_short_client_timeout(emulator):
    emulator.control("faults", {"token_endpoint": "hang", "hang_seconds": 1})

    with pytest.raises(requests.Timeout):
        requests.post(f"{emulator.url}/connect/apps/v1/oauth2/token", data={}, timeout=0.2)


def test_latency_is_added_to_every_api_call(emulator):
    token = emulator.token()
    emulator.control("faults", {"latency_ms": 200})

    started = time.monotonic()
    emulator.api("products-uuid", token)

    assert time.monotonic() - started >= 0.2


def test_faults_update_partially(emulator):
    emulator.control("faults", {"latency_ms": 5})

    faults = emulator.control("faults", {"rate_limit": dict(count=1)}).json()

    assert faults["latency_ms"] == 5
    assert faults["rate_limit"] == {"count": 1, "retry_after": 1}


@pytest.mark.parametrize(
    "body",
    [
        {"token_endpoint": "explode"},
        {"rate_limit": 3},
        {"rate_limit": dict(count=-1)},
        {"latency_ms": "slow"},
        {"hang_seconds": -1},
        {"surprise": True},
    ],
    ids=[
        "bad mode",
        "rate_limit not an object",
        "negative count",
        "latency text",
        "negative hang",
        "unknown",
    ],
)
def test_invalid_faults_are_rejected_with_400(emulator, body):
    response = emulator.control("faults", body)

    assert response.status_code == 400
    assert response.json()["error"]
    assert emulator.state()["faults"]["token_endpoint"] is None


def test_faults_need_a_json_object(emulator):
    response = requests.post(f"{emulator.url}/_emulator/faults", data="rate_limit=1", timeout=10)

    assert response.status_code == 400
