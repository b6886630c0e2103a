"""The demo catalog: deterministic products, generated on demand, cheap for large counts."""

from pim_emulator.catalog import FAMILIES, Catalog


def test_the_same_index_always_gives_the_same_product():
    assert Catalog(50).product(17) == Catalog(50).product(17)


def test_identifiers_and_uuids_are_unique():
    catalog = Catalog(500)

    assert len({catalog.identifier(i) for i in range(500)}) == 500
    assert len(set(catalog.sorted_by_uuid())) == 500


def test_products_cycle_through_the_families():
    catalog = Catalog(len(FAMILIES) * 2)

    assert {catalog.product(i)["family"] for i in range(len(FAMILIES))} == {f.code for f in FAMILIES}


def test_lookups_by_identifier_and_uuid_find_the_index():
    catalog = Catalog(100)

    assert catalog.index_of_identifier(catalog.identifier(42)) == 42
    assert catalog.index_of_uuid(catalog.uuid(42)) == 42
    assert catalog.index_of_identifier("MUG-000001") is None  # index 0 is a shoe
    assert catalog.index_of_identifier("SHOE-000101") is None  # beyond the count


def test_a_hundred_thousand_products_are_sorted_both_ways_without_building_them():
    catalog = Catalog(100_000)

    by_uuid = catalog.sorted_by_uuid()
    by_identifier = catalog.sorted_by_identifier()

    assert len(by_uuid) == len(by_identifier) == 100_000
    assert by_uuid == sorted(by_uuid)
    assert catalog.product(99_999)["identifier"].endswith("-100000")


def test_no_product_of_a_large_catalog_is_updated_in_the_future():
    # An App's "updated since the last sync" query would find such products on every run.
    from datetime import UTC, datetime

    catalog = Catalog(100_000)
    latest = max(datetime.fromisoformat(catalog.product(index)["updated"]) for index in range(0, 100_000, 97))
    assert latest < datetime(2025, 6, 1, tzinfo=UTC) < datetime.now(UTC)
