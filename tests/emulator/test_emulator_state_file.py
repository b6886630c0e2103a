"""The state file: connections, tokens, catalogs and product edits survive a restart; a reset starts over."""

import json

import pytest

SCOPES = "read_products write_products read_catalogs write_catalogs"


@pytest.fixture
def state_file(tmp_path):
    return tmp_path / "instance" / "pim_emulator_state.json"


def restart(make_emulator, state_file):
    return make_emulator(state_file=str(state_file))


def test_a_token_still_works_after_a_restart(make_emulator, state_file):
    first = restart(make_emulator, state_file)
    token = first.token(SCOPES)

    second = restart(make_emulator, state_file)

    assert second.api("products-uuid", token, limit=1).status_code == 200
    assert second.state()["connected"] is True
    assert second.state()["granted_scopes"] == sorted(SCOPES.split())


def test_catalogs_and_product_edits_survive_a_restart(make_emulator, state_file):
    first = restart(make_emulator, state_file)
    token = first.token(SCOPES)
    catalog = first.send("POST", "catalogs", token, {"name": "Store US"}).json()
    first.send("POST", "products-uuid", token, {"identifier": "KEPT-1", "family": "mugs"})

    second = restart(make_emulator, state_file)
    kept = second.api(
        "products", token, search=json.dumps({"identifier": [{"operator": "IN", "value": ["KEPT-1"]}]})
    )

    assert second.api(f"catalogs/{catalog['id']}", token).json()["name"] == "Store US"
    assert [p["identifier"] for p in kept.json()["_embedded"]["items"]] == ["KEPT-1"]


def test_a_reset_survives_a_restart(make_emulator, state_file):
    first = restart(make_emulator, state_file)
    token = first.token(SCOPES)

    first.control("reset")
    second = restart(make_emulator, state_file)

    assert second.state()["connected"] is False
    assert second.api("products-uuid", token).status_code == 401


def test_deleting_the_file_is_a_reset(make_emulator, state_file):
    first = restart(make_emulator, state_file)
    first.token(SCOPES)

    state_file.unlink()
    second = restart(make_emulator, state_file)

    assert second.state()["connected"] is False


def test_an_unreadable_file_is_set_aside_and_the_emulator_starts_afresh(make_emulator, state_file, capsys):
    state_file.parent.mkdir(parents=True)
    state_file.write_text("{not json")

    emulator = restart(make_emulator, state_file)

    assert emulator.state()["connected"] is False
    assert state_file.with_suffix(".unreadable.json").read_text() == "{not json"
    assert "could not be read" in capsys.readouterr().err


def test_without_a_state_file_nothing_is_written(make_emulator, tmp_path):
    emulator = make_emulator()
    emulator.token(SCOPES)

    assert not list(tmp_path.rglob("*.json"))
