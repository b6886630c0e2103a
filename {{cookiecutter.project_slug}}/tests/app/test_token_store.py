"""The token store, against every backend at hand: a real SQLite file, and PostgreSQL when configured.

The `engine` fixture (tests/app/conftest.py) gives each test its own SQLite file and, when TEST_DATABASE_URL
is set, the test process's PostgreSQL schema with every table emptied; `empty_database_url` has no table yet.
"""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, text

from {{ cookiecutter.package_name }}.database import (
    Base,
    UnsupportedDatabase,
    create_database_engine,
    create_schema,
)
from {{ cookiecutter.package_name }}.token_cipher import TokenCipher, UndecryptableToken
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from tests.support.app_settings import OTHER_TOKEN_KEY, TOKEN_KEY

PIM = "https://acme.cloud.akeneo.com"
CIPHER = TokenCipher([TOKEN_KEY])
OTHER_PIM = "https://other.cloud.akeneo.com"


class SteppingClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return SteppingClock()


@pytest.fixture
def store(engine, clock):
    return SqlTokenStore(engine, CIPHER, clock)


def raw_rows(engine):
    with engine.connect() as connection:
        return [tuple(map(str, row)) for row in connection.execute(text("SELECT * FROM pim_connections"))]


def test_the_app_creates_its_tables_in_an_empty_database(empty_database_url):
    engine = create_database_engine(empty_database_url)
    try:
        store = SqlTokenStore(engine, CIPHER, SteppingClock())
        store.save(PIM, "token-1", ("read_products",))
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        assert store.get(PIM).access_token == "token-1"
    finally:
        engine.dispose()


def test_processes_starting_at_once_on_an_empty_database_all_get_the_tables(empty_database_url):
    engines = [create_database_engine(empty_database_url) for _ in range(4)]
    failures = []
    start = threading.Barrier(len(engines))

    def start_up(engine):
        start.wait()
        try:
            create_schema(engine)
        except Exception as error:  # reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=start_up, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert failures == []
        assert set(inspect(engines[0]).get_table_names()) >= set(Base.metadata.tables)
    finally:
        for engine in engines:
            engine.dispose()


def test_a_saved_token_is_read_back(store):
    store.save(PIM, "token-1", ("read_products",))
    connection = store.get(PIM)
    assert connection.access_token == "token-1"
    assert connection.scopes == ("read_products",)
    assert connection.is_connected


def test_an_unknown_pim_has_no_connection(store):
    assert store.get(PIM) is None


def test_timestamps_are_utc(store, clock):
    connection = store.save(PIM, "token-1", ())
    assert connection.connected_at == clock.now
    assert connection.updated_at.tzinfo is not None


def test_reconnecting_replaces_the_token_and_scopes(store, clock):
    store.save(PIM, "token-1", ("read_products",))
    clock.advance(minutes=5)
    store.save(PIM, "token-2", ("read_products", "write_products"))
    connection = store.get(PIM)
    assert connection.access_token == "token-2"
    assert connection.scopes == ("read_products", "write_products")


def test_reconnecting_keeps_connected_at_and_moves_updated_at(store, clock):
    first = store.save(PIM, "token-1", ())
    clock.advance(minutes=5)
    second = store.save(PIM, "token-2", ())
    assert second.connected_at == first.connected_at
    assert second.updated_at == first.updated_at + timedelta(minutes=5)


def test_one_record_per_pim(store):
    store.save(PIM, "token-1", ())
    store.save(OTHER_PIM, "token-2", ())
    store.save(PIM, "token-3", ())
    assert [c.pim_url for c in store.all()] == [PIM, OTHER_PIM]
    assert store.get(OTHER_PIM).access_token == "token-2"


def test_a_disconnection_is_recorded(store, clock):
    store.save(PIM, "token-1", ())
    clock.advance(minutes=1)
    store.mark_disconnected(PIM)
    connection = store.get(PIM)
    assert not connection.is_connected
    assert connection.disconnected_at == clock.now


def test_a_reconnection_after_a_disconnection_starts_a_new_connection(store, clock):
    store.save(PIM, "token-1", ())
    store.mark_disconnected(PIM)
    clock.advance(hours=1)
    connection = store.save(PIM, "token-2", ())
    assert connection.is_connected
    assert connection.connected_at == clock.now


def test_a_deleted_connection_is_gone(store):
    store.save(PIM, "token-1", ())
    assert store.delete(PIM)
    assert store.get(PIM) is None
    assert not store.delete(PIM)


def test_the_health_check_passes_on_a_reachable_store(store):
    store.check()


def test_concurrent_saves_for_one_pim_leave_one_record(store):
    errors = []

    def save(index: int) -> None:
        try:
            store.save(PIM, f"token-{index}", ())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store.all()) == 1


def test_the_schema_creation_is_idempotent(engine):
    SqlTokenStore(engine, CIPHER).save(PIM, "token-1", ())
    assert SqlTokenStore(engine, CIPHER).get(PIM).access_token == "token-1"


def test_the_database_holds_no_token_in_clear(store, engine):
    token = "Y2YyYjM1ZjMyMmZlZmE5Yzg0OTNiYjRjZTJjNjk0ZTUxYTE0NWI5Zm"
    store.save(PIM, token, ("read_products",))
    dump = repr(raw_rows(engine))
    assert token not in dump
    assert token[:16] not in dump


def test_a_token_reads_back_with_a_new_key_first_and_the_old_one_after(engine):
    SqlTokenStore(engine, CIPHER).save(PIM, "token-1", ())
    rotated_keys = SqlTokenStore(engine, TokenCipher([OTHER_TOKEN_KEY, TOKEN_KEY]))
    assert rotated_keys.get(PIM).access_token == "token-1"


def test_reencryption_moves_every_token_to_the_first_key(engine):
    SqlTokenStore(engine, CIPHER).save(PIM, "token-1", ())
    SqlTokenStore(engine, CIPHER).save(OTHER_PIM, "token-2", ())
    assert SqlTokenStore(engine, TokenCipher([OTHER_TOKEN_KEY, TOKEN_KEY])).reencrypt_all() == 2
    new_key_only = SqlTokenStore(engine, TokenCipher([OTHER_TOKEN_KEY]))
    assert [c.access_token for c in new_key_only.all()] == ["token-1", "token-2"]


def test_a_token_without_its_key_is_reported_not_returned(engine):
    SqlTokenStore(engine, CIPHER).save(PIM, "token-1", ())
    with pytest.raises(UndecryptableToken, match="TOKEN_ENCRYPTION_KEY"):
        SqlTokenStore(engine, TokenCipher([OTHER_TOKEN_KEY])).get(PIM)


def test_the_sqlite_folder_is_created(tmp_path):
    SqlTokenStore.from_url(f"sqlite:///{tmp_path / 'instance' / 'deep' / 'tokens.sqlite3'}", CIPHER)
    assert (tmp_path / "instance" / "deep" / "tokens.sqlite3").exists()


@pytest.mark.parametrize("url", ["mysql://root@localhost/db", "not a url"])
def test_an_unsupported_database_url_is_refused_clearly(url):
    with pytest.raises(UnsupportedDatabase, match="DATABASE_URL"):
        create_database_engine(url)
