"""`python -m <package> sync`: the PIM's products copied into the App's database, then kept current.

Against the PIM emulator over real HTTP, on a real SQLite file and on PostgreSQL.
"""

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from {{ cookiecutter.package_name }}.product_sync import BATCH_ROWS, InvalidProduct, product_row
from {{ cookiecutter.package_name }}.sync_store import PRODUCTS, SyncStore

from tests.support.stack import Stack, running_stack

EDIT_SCOPES = ("read_products", "write_products", "delete_products")


@pytest.fixture
def synced(tmp_path, database_url) -> Iterator[Stack]:
    """A connected stack of 300 products whose token may also edit and delete them."""
    with running_stack(tmp_path, database_url=database_url, scopes=EDIT_SCOPES) as stack:
        stack.connect(stack.browser())
        yield stack


def api(stack: Stack, method: str, path: str, **kwargs) -> requests.Response:
    connection = stack.store.get(stack.pim_url)
    assert connection is not None
    token = connection.access_token
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{stack.pim_url}/api/rest/v1/{path}"
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


def first_uuids(stack: Stack, count: int) -> list[str]:
    page = api(stack, "GET", "products-uuid", params={"limit": count, "pagination_type": "search_after"})
    return [item["uuid"] for item in page.json()["_embedded"]["items"]]


def rows(stack: Stack) -> dict[str, dict]:
    with stack.services.engine.connect() as db:
        return {row.uuid: row._asdict() for row in db.execute(select(PRODUCTS))}


def sync(stack: Stack, *args: str):
    result = stack.command("sync", *args)
    assert result.exit_code == 0, result.output
    return result


def test_the_first_sync_copies_every_product_with_its_columns_and_json(synced):
    result = sync(synced)
    assert "full sync, 300 products written, 0 removed" in result.output
    copied = rows(synced)
    assert len(copied) == 300
    product = api(synced, "GET", f"products-uuid/{first_uuids(synced, 1)[0]}").json()
    row = copied[product["uuid"]]
    assert (row["identifier"], row["family"], row["parent"]) == (
        product["identifier"],
        product["family"],
        product["parent"],
    )
    assert row["updated"].isoformat().startswith(product["updated"][:19])
    assert {key: value for key, value in row["data"].items() if key != "_links"} == product


def test_the_second_sync_reads_only_the_products_changed_since(synced):
    sync(synced)
    changed = first_uuids(synced, 3)
    for product_uuid in changed:
        answer = api(synced, "PATCH", f"products-uuid/{product_uuid}", json={"enabled": False})
        assert answer.status_code == 204, answer.text
    result = sync(synced)
    assert "incremental sync, 3 products written" in result.output
    copied = rows(synced)
    assert len(copied) == 300
    assert all(copied[product_uuid]["data"]["enabled"] is False for product_uuid in changed)


def test_a_product_created_in_the_pim_arrives_with_the_next_sync(synced):
    sync(synced)
    sku = {"sku": [{"locale": None, "scope": None, "data": "NEW-1"}]}
    created = api(synced, "POST", "products-uuid", json={"values": sku})
    assert created.status_code == 201, created.text
    result = sync(synced)
    assert "incremental sync, 1 products written" in result.output
    assert any(row["identifier"] == "NEW-1" for row in rows(synced).values())


def test_a_full_sync_removes_the_products_the_pim_no_longer_has(synced):
    sync(synced)
    gone = first_uuids(synced, 2)
    for product_uuid in gone:
        assert api(synced, "DELETE", f"products-uuid/{product_uuid}").status_code == 204
    assert "0 removed" in sync(synced).output  # an incremental sync cannot see deletions
    result = sync(synced, "--full")
    assert "full sync, 298 products written, 2 removed" in result.output
    assert set(gone).isdisjoint(rows(synced))
    assert len(rows(synced)) == 298


def test_a_401_stops_the_sync_and_marks_the_pim_disconnected(synced):
    synced.control("disconnect")
    result = synced.command("sync")
    assert result.exit_code == 1
    assert "disconnected" in result.output
    assert not synced.store.get(synced.pim_url).is_connected
    status = synced.services.sync_store.status(synced.pim_url)
    assert status.state == "failed"
    assert "reconnect" in status.last_error


def test_a_stopped_sync_resumes_after_its_last_batch_and_writes_each_product_once(tmp_path, database_url):
    with running_stack(tmp_path, database_url=database_url, product_count=3 * BATCH_ROWS - 100) as stack:
        stack.connect(stack.browser())

        class StopAfterFirstBatch:
            """The PIM starts answering 429 with a long Retry-After once the first batch is committed."""

            def started(self, run):
                pass

            def advanced(self, count, total):
                stack.control("faults", {"rate_limit": {"count": 1000, "retry_after": 60}})

            def ended(self):
                pass

        from {{ cookiecutter.package_name }}.product_sync import SyncFailed, sync_pim

        with pytest.raises(SyncFailed) as stopped:
            sync_pim(stack.services, stack.pim_url, progress=StopAfterFirstBatch())
        assert stopped.value.transient
        status = stack.services.sync_store.status(stack.pim_url)
        assert (status.state, status.run_written, status.products) == ("failed", BATCH_ROWS, BATCH_ROWS)

        stack.control("faults", {"rate_limit": None})
        result = sync(stack)
        # The run goes on from its checkpoint: it counts each product once, the first batch included.
        assert f"full sync (resumed), {3 * BATCH_ROWS - 100:,} products written" in result.output
        assert len(rows(stack)) == 3 * BATCH_ROWS - 100


def test_a_sync_is_refused_while_another_process_holds_the_pim(synced):
    other = SyncStore(synced.services.engine)
    from datetime import timedelta

    other.claim(synced.pim_url, "elsewhere:1:x", full=False, margin=timedelta(0))
    result = synced.command("sync")
    assert result.exit_code == 1
    assert "already running" in result.output
    assert len(rows(synced)) == 0


def test_the_lease_of_a_dead_process_on_this_machine_is_taken_over_at_once(synced):
    import socket
    import subprocess
    import sys
    from datetime import timedelta

    dead_pid = subprocess.Popen([sys.executable, "-c", "pass"])
    dead_pid.wait()
    owner = f"{socket.gethostname()}:{dead_pid.pid}:dead"
    SyncStore(synced.services.engine).claim(synced.pim_url, owner, full=False, margin=timedelta(0))
    assert "300 products written" in sync(synced).output


def test_sync_names_the_pim_to_sync_with_pim(synced):
    result = synced.command("sync", "--pim", "https://other.cloud.akeneo.com")
    assert result.exit_code == 1
    assert "No connected PIM at https://other.cloud.akeneo.com" in result.output
    assert "300 products written" in sync(synced, "--pim", synced.pim_url + "/").output


def test_the_products_of_the_apps_catalog_are_synced_when_sync_catalog_names_it(tmp_path):
    scopes = ("read_products", "read_catalogs", "write_catalogs")
    with running_stack(tmp_path, scopes=scopes, sync_catalog="Storefront") as stack:
        stack.connect(stack.browser())
        created = api(stack, "POST", "catalogs", json={"name": "Storefront"})
        assert created.status_code == 201, created.text
        result = stack.command("sync")
        assert result.exit_code == 1
        assert 'catalog "Storefront" is disabled' in result.output
        enable_catalog(stack, created.json()["id"])
        result = sync(stack)
        enabled = sum(1 for row in rows(stack).values() if row["data"]["enabled"])
        assert enabled == len(rows(stack)) > 0  # the catalog selects enabled products only
        assert f"{len(rows(stack))} products written" in result.output


def enable_catalog(stack: Stack, catalog_id: str) -> None:
    """What a person does on the PIM's catalog screen: enable it, enabled products only."""
    screen = f"{stack.pim_url}/connect/apps/v1/catalogs/{catalog_id}"
    saved = requests.post(screen, data={"enabled": "1", "enabled_only": "1"}, timeout=10)
    assert saved.status_code == 200, saved.text


def test_a_product_without_a_uuid_is_refused_before_anything_is_written():
    with pytest.raises(InvalidProduct, match="valid uuid"):
        product_row({"identifier": "A", "uuid": "not-a-uuid"})


@pytest.mark.parametrize(
    ("field", "value"),
    [("identifier", "x" * 256), ("family", ["list"]), ("parent", 3), ("updated", "yesterday")],
)
def test_a_product_whose_columns_are_not_what_the_pim_sends_is_refused(field, value):
    product = {"uuid": "7d3c8f0e-5b1a-4c2e-9f6d-2a1b3c4d5e6f", "updated": "2024-01-08T09:00:00+00:00"}
    with pytest.raises(InvalidProduct, match=field):
        product_row({**product, field: value})
