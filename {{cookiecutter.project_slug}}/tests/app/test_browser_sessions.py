"""Server-side sessions on a SQLite file and on PostgreSQL: the cookie is only the key to a database row."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from {{ cookiecutter.package_name }}.browser_sessions import (
    IDLE_LIFETIME,
    MAX_LIFETIME,
    MAX_PENDING,
    PENDING_LIFETIME,
    SessionStore,
    StateError,
    StateProblem,
)

PIM = "https://acme.cloud.akeneo.com"
KEY = "a-secret-key-for-the-session-tests-9Qm2Lw8Rt5"


@pytest.fixture
def sessions(engine, clock):
    return SessionStore(engine, KEY, clock)


def test_a_new_session_is_found_again_by_its_cookie(sessions):
    created, cookie = sessions.create()
    assert sessions.find(cookie) == created


@pytest.mark.parametrize("cookie", [None, "", "garbage", "a.b.c", "x" * 5000])
def test_anything_but_a_cookie_the_app_made_opens_no_session(sessions, cookie):
    sessions.create()
    assert sessions.find(cookie) is None


def test_a_cookie_signed_with_another_key_opens_no_session(engine, clock, sessions):
    session_id = sessions.create()[1].split(".")[0]
    forged = SessionStore(engine, "another-key-of-an-attacker-x8Wq3Zr1Tn6Lp", clock)
    assert sessions.find(f"{session_id}.{forged._signature(session_id)}") is None


def test_the_database_never_holds_the_cookie(engine, sessions):
    _, cookie = sessions.create()
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM browser_sessions")).all()
    assert not any(cookie.split(".")[0] in str(value) for row in rows for value in row)


def test_a_session_ends_after_its_idle_lifetime(sessions, clock):
    _, cookie = signed_in(sessions)
    clock.now += IDLE_LIFETIME + 1
    assert sessions.find(cookie) is None


def signed_in(sessions):
    return sessions.sign_in(sessions.create()[0])


def test_visits_keep_a_signed_in_session_alive_until_its_maximum_lifetime(sessions, clock):
    _, cookie = signed_in(sessions)
    start = clock.now
    while clock.now - start + IDLE_LIFETIME / 2 < MAX_LIFETIME:
        clock.now += IDLE_LIFETIME / 2
        assert sessions.find(cookie) is not None, f"ended after {clock.now - start} s of visits"
    clock.now = start + MAX_LIFETIME + 1
    assert sessions.find(cookie) is None


def test_a_session_that_never_signs_in_lives_as_long_as_an_activation(sessions, clock):
    _, cookie = sessions.create()
    clock.now += PENDING_LIFETIME - 1
    assert sessions.find(cookie) is not None, "still within an activation's lifetime"
    clock.now += 2
    assert sessions.find(cookie) is None


def test_signing_in_gives_a_new_id_and_keeps_what_the_session_held(sessions):
    session, old_cookie = sessions.create()
    state = sessions.start_activation(session, PIM)
    renewed, new_cookie = sessions.sign_in(session)
    assert sessions.find(old_cookie) is None
    assert sessions.find(new_cookie) == renewed
    assert sessions.consume_activation(renewed, state).pim_url == PIM


def test_signing_out_ends_the_session_and_what_it_held(sessions):
    session, cookie = sessions.create()
    sessions.allow_pim(session, PIM)
    state = sessions.start_activation(session, PIM)
    sessions.end(session)
    assert sessions.find(cookie) is None
    with pytest.raises(StateError):
        sessions.consume_activation(session, state)
    assert sessions.visible_pims(session) == []


def test_a_state_is_consumed_once(sessions):
    session, _ = sessions.create()
    state = sessions.start_activation(session, PIM)
    assert sessions.consume_activation(session, state).pim_url == PIM
    with pytest.raises(StateError) as error:
        sessions.consume_activation(session, state)
    assert error.value.problem is StateProblem.UNKNOWN


def test_a_state_is_single_use_across_workers(engine, clock):
    # Two stores on one database: what two worker processes share.
    first, second = SessionStore(engine, KEY, clock), SessionStore(engine, KEY, clock)
    session, cookie = first.create()
    state = first.start_activation(session, PIM)
    assert second.consume_activation(second.find(cookie), state).pim_url == PIM
    with pytest.raises(StateError):
        first.consume_activation(session, state)


def test_racing_callbacks_with_one_state_let_exactly_one_through(sessions):
    session, _ = sessions.create()
    state = sessions.start_activation(session, PIM)

    def consume(_: int) -> bool:
        try:
            sessions.consume_activation(session, state)
        except StateError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(consume, range(8))) == 1


def test_a_state_from_another_session_is_unknown(sessions):
    mine, _ = sessions.create()
    theirs, _ = sessions.create()
    state = sessions.start_activation(theirs, PIM)
    with pytest.raises(StateError) as error:
        sessions.consume_activation(mine, state)
    assert error.value.problem is StateProblem.UNKNOWN


def test_no_state_is_missing_and_no_session_is_unknown(sessions):
    session, _ = sessions.create()
    with pytest.raises(StateError) as missing:
        sessions.consume_activation(session, "")
    with pytest.raises(StateError) as unknown:
        sessions.consume_activation(None, "some-state")
    assert (missing.value.problem, unknown.value.problem) == (StateProblem.MISSING, StateProblem.UNKNOWN)


def test_an_old_state_has_expired(sessions, clock):
    session, _ = sessions.create()
    state = sessions.start_activation(session, PIM)
    clock.now += PENDING_LIFETIME + 1
    with pytest.raises(StateError) as error:
        sessions.consume_activation(session, state)
    assert error.value.problem is StateProblem.EXPIRED


def test_only_the_latest_activations_stay_in_flight(sessions, clock):
    session, _ = sessions.create()
    states = []
    for number in range(MAX_PENDING + 3):
        clock.now += 1
        states.append(sessions.start_activation(session, f"https://pim{number}.cloud.akeneo.com"))
    with pytest.raises(StateError):
        sessions.consume_activation(session, states[0])
    assert sessions.consume_activation(session, states[-1]).pim_url == "https://pim10.cloud.akeneo.com"


def test_a_session_sees_only_the_pims_it_was_allowed(sessions):
    mine, _ = sessions.create()
    theirs, _ = sessions.create()
    sessions.allow_pim(mine, PIM)
    assert sessions.visible_pims(mine) == [PIM]
    assert sessions.visible_pims(theirs) == []
    assert sessions.may_see(mine, PIM)
    assert not sessions.may_see(theirs, PIM)


def test_a_forgotten_pim_disappears_from_every_session(sessions):
    first, _ = sessions.create()
    second, _ = sessions.create()
    sessions.allow_pim(first, PIM)
    sessions.allow_pim(second, PIM)
    sessions.forget_pim(PIM)
    assert sessions.visible_pims(first) == sessions.visible_pims(second) == []


def test_expired_rows_are_removed(engine, sessions, clock):
    old, _ = signed_in(sessions)
    sessions.allow_pim(old, PIM)
    sessions.start_activation(old, PIM)
    clock.now += IDLE_LIFETIME + 1
    sessions.create()
    with engine.connect() as connection:
        counts = [
            connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()  # noqa: S608 - fixed names
            for table in ("browser_sessions", "pending_activations", "session_pims")
        ]
    assert counts == [1, 0, 0]


def test_csrf_tokens_match_only_their_session(sessions):
    mine, _ = sessions.create()
    theirs, _ = sessions.create()
    assert sessions.csrf_ok(mine, mine.csrf_token)
    assert not sessions.csrf_ok(mine, theirs.csrf_token)
    assert not sessions.csrf_ok(None, mine.csrf_token)
    assert not sessions.csrf_ok(mine, None)


# --- signed-in users (when the App asks for openid) ------------------------------------------


@pytest.fixture
def openid_sessions(engine, clock):
    return SessionStore(engine, KEY, clock, require_user=True)


def test_under_openid_a_pim_is_seen_only_through_a_signed_in_user(openid_sessions):
    session, _ = openid_sessions.create()
    openid_sessions.allow_pim(session, PIM)
    assert openid_sessions.visible_pims(session) == []
    assert not openid_sessions.may_see(session, PIM)
    openid_sessions.sign_in_user(session, PIM, "sub-1")
    assert openid_sessions.visible_pims(session) == [PIM]
    assert openid_sessions.may_see(session, PIM)


def test_a_later_sign_in_for_the_same_pim_replaces_the_user(openid_sessions):
    session, _ = openid_sessions.create()
    openid_sessions.sign_in_user(session, PIM, "sub-1")
    openid_sessions.sign_in_user(session, PIM, "sub-2")
    assert openid_sessions.signed_in_users(session) == {PIM: "sub-2"}


def test_the_signed_in_user_moves_with_the_session_to_its_new_id(openid_sessions):
    session, _ = openid_sessions.create()
    openid_sessions.sign_in_user(session, PIM, "sub-1")
    renewed, _ = openid_sessions.sign_in(session)
    assert openid_sessions.signed_in_users(renewed) == {PIM: "sub-1"}
    assert openid_sessions.signed_in_users(session) == {}


def test_signing_out_of_a_pim_hides_it_and_keeps_the_others(openid_sessions):
    other = "https://other.cloud.akeneo.com"
    session, _ = openid_sessions.create()
    openid_sessions.sign_in_user(session, PIM, "sub-1")
    openid_sessions.sign_in_user(session, other, "sub-9")
    openid_sessions.sign_out_of_pim(session, PIM)
    assert openid_sessions.visible_pims(session) == [other]
    assert openid_sessions.signed_in_users(session) == {other: "sub-9"}


def test_ending_a_session_ends_its_sign_ins(openid_sessions):
    session, _ = openid_sessions.create()
    openid_sessions.sign_in_user(session, PIM, "sub-1")
    openid_sessions.end(session)
    assert openid_sessions.signed_in_users(session) == {}


# --- asking a PIM for new scopes, once --------------------------------------------------------


def test_a_reauthorization_is_claimed_once_per_session_pim_and_scope_list(sessions):
    mine, _ = sessions.create()
    theirs, _ = sessions.create()
    assert sessions.claim_reauthorization(mine, PIM, "read_products write_products")
    assert not sessions.claim_reauthorization(mine, PIM, "read_products write_products")
    assert sessions.claim_reauthorization(theirs, PIM, "read_products write_products")
    assert sessions.claim_reauthorization(mine, PIM, "read_products delete_products")


def test_racing_tabs_claim_a_reauthorization_once(sessions):
    session, _ = sessions.create()

    def claim(_: int) -> bool:
        return sessions.claim_reauthorization(session, PIM, "read_products write_products")

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert sum(pool.map(claim, range(8))) == 1
