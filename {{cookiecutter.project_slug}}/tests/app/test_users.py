"""The users who signed in, on a SQLite file and on PostgreSQL: keyed by (pim_url, sub) only."""

import pytest

from {{ cookiecutter.package_name }}.openid import Identity
from {{ cookiecutter.package_name }}.users import UserStore

PIM = "https://acme.cloud.akeneo.com"


@pytest.fixture
def users(engine, clock):
    return UserStore(engine, clock)


def test_a_sign_in_keeps_the_user_with_name_and_email(users):
    users.save(Identity(PIM, "sub-1", "Julia", "Stark", "julia@example.com"))
    user = users.get(PIM, "sub-1")
    assert (user.first_name, user.last_name, user.email) == ("Julia", "Stark", "julia@example.com")
    assert user.display_name == "Julia Stark"


def test_a_new_name_updates_the_same_user(users, clock):
    first = users.save(Identity(PIM, "sub-1", "Julia", "Stark", "julia@example.com"))
    clock.now += 60
    again = users.save(Identity(PIM, "sub-1", "Julia", "Stark-Lee", "jsl@example.com"))
    assert (again.last_name, again.email) == ("Stark-Lee", "jsl@example.com")
    assert again.first_seen_at == first.first_seen_at
    assert again.last_seen_at > first.last_seen_at


def test_the_same_sub_in_another_pim_is_another_user(users):
    users.save(Identity(PIM, "sub-1", "Julia"))
    users.save(Identity("https://other.cloud.akeneo.com", "sub-1", "Sam"))
    assert users.get(PIM, "sub-1").first_name == "Julia"


def test_the_same_name_with_another_sub_is_another_user(users):
    users.save(Identity(PIM, "sub-1", "Julia", "Stark"))
    users.save(Identity(PIM, "sub-2", "Julia", "Stark"))
    assert users.get(PIM, "sub-1") != users.get(PIM, "sub-2")


def test_without_profile_the_email_or_the_id_is_shown(users):
    assert users.save(Identity(PIM, "sub-1", email="j@example.com")).display_name == "j@example.com"
    assert users.save(Identity(PIM, "0f7e1c2a-9d")).display_name == "user 0f7e1c2a"


def test_forgetting_a_pim_forgets_its_users_only(users):
    users.save(Identity(PIM, "sub-1"))
    users.save(Identity("https://other.cloud.akeneo.com", "sub-2"))
    users.forget_pim(PIM)
    assert users.get(PIM, "sub-1") is None
    assert users.get("https://other.cloud.akeneo.com", "sub-2") is not None
