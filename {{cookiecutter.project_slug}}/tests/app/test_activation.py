"""Pending activations: the state that ties a callback to the activation that started it."""

import pytest

from {{ cookiecutter.package_name }}.activation import (
    MAX_PENDING,
    PENDING_LIFETIME,
    PendingActivations,
    StateError,
    StateProblem,
)

PIM = "https://acme.cloud.akeneo.com"
NOW = 1_800_000_000.0


def test_a_state_carries_at_least_128_bits():
    state = PendingActivations().start(PIM, NOW)
    assert len(state) >= 22  # url-safe base64: 6 bits a character


def test_every_activation_gets_a_new_state():
    pending = PendingActivations()
    assert pending.start(PIM, NOW) != pending.start(PIM, NOW)


def test_the_state_gives_back_the_pim_url():
    pending = PendingActivations()
    state = pending.start(PIM, NOW)
    assert pending.consume(state, NOW + 5).pim_url == PIM


def test_a_state_works_once():
    pending = PendingActivations()
    state = pending.start(PIM, NOW)
    pending.consume(state, NOW)
    with pytest.raises(StateError) as error:
        pending.consume(state, NOW)
    assert error.value.problem is StateProblem.UNKNOWN


def test_two_activations_in_flight_do_not_break_each_other():
    pending = PendingActivations()
    first = pending.start("https://one.cloud.akeneo.com", NOW)
    second = pending.start("https://two.cloud.akeneo.com", NOW)
    assert pending.consume(second, NOW).pim_url == "https://two.cloud.akeneo.com"
    assert pending.consume(first, NOW).pim_url == "https://one.cloud.akeneo.com"


def test_a_missing_state_is_refused():
    with pytest.raises(StateError) as error:
        PendingActivations().consume(None, NOW)
    assert error.value.problem is StateProblem.MISSING


def test_a_forged_state_is_refused():
    pending = PendingActivations()
    pending.start(PIM, NOW)
    with pytest.raises(StateError) as error:
        pending.consume("forged", NOW)
    assert error.value.problem is StateProblem.UNKNOWN


def test_an_old_state_is_refused_as_expired():
    pending = PendingActivations()
    state = pending.start(PIM, NOW)
    with pytest.raises(StateError) as error:
        pending.consume(state, NOW + PENDING_LIFETIME + 1)
    assert error.value.problem is StateProblem.EXPIRED


def test_the_oldest_activation_is_dropped_beyond_the_limit():
    pending = PendingActivations()
    oldest = pending.start(PIM, NOW)
    for offset in range(MAX_PENDING):
        pending.start(PIM, NOW + offset + 1)
    assert len(pending) == MAX_PENDING
    with pytest.raises(StateError):
        pending.consume(oldest, NOW + MAX_PENDING + 1)


def test_pending_activations_survive_the_round_trip_through_the_session():
    pending = PendingActivations()
    state = pending.start(PIM, NOW)
    restored = PendingActivations(pending.to_session())
    assert restored.consume(state, NOW).pim_url == PIM


def test_malformed_session_entries_are_ignored():
    restored = PendingActivations({"abc": {"pim_url": 42}, "def": {"started_at": "x"}})
    assert len(restored) == 0
