"""A sync reads an untrusted PIM: links off its origin, answers that are not pages and products that are not
products stop the run with a reason on the dashboard, and nothing already copied is lost."""

import pytest
from flask import jsonify

from tests.support.hostile_pim import hostile_pim


@pytest.fixture
def hostile(stack):
    with hostile_pim(stack.app_url) as pim:
        stack.browser().get(stack.activate_url(), params={"pim_url": pim.url}, timeout=60)
        assert stack.store.get(pim.url) is not None
        yield pim


def product(number):
    return {"uuid": f"7d3c8f0e-5b1a-4c2e-9f6d-{number:012d}", "identifier": f"sku-{number}", "values": {}}


def failed_sync(stack, pim):
    result = stack.command("sync", "--pim", pim.url)
    assert result.exit_code == 1, result.output
    status = stack.services.sync_store.status(pim.url)
    assert status.state == "failed"
    return status


def test_a_next_link_off_the_pims_origin_is_not_followed(stack, hostile):
    with hostile_pim(stack.app_url) as other:
        hostile.products_answer = lambda: jsonify(
            _links={"next": {"href": f"{other.url}/elsewhere"}}, _embedded={"items": [product(1)]}
        )
        status = failed_sync(stack, hostile)
        assert "outside the PIM" in status.last_error
        assert other.hits["/elsewhere"] == 0


def test_an_answer_that_is_not_a_page_stops_the_sync(stack, hostile):
    hostile.products_answer = lambda: jsonify(_embedded={"items": "everything"})
    status = failed_sync(stack, hostile)
    assert "not a page of items" in status.last_error


def test_a_product_without_a_valid_uuid_stops_the_sync_before_writing_it(stack, hostile):
    hostile.products_answer = lambda: jsonify(_links={}, _embedded={"items": [product(1), {"uuid": "u-2"}]})
    status = failed_sync(stack, hostile)
    assert "valid uuid" in status.last_error
    assert status.products == 0


def test_what_a_previous_sync_copied_stays_when_a_later_one_fails(stack, hostile):
    hostile.products_answer = lambda: jsonify(_links={}, _embedded={"items": [product(1), product(2)]})
    assert stack.command("sync", "--pim", hostile.url).exit_code == 0
    hostile.products_answer = lambda: jsonify(_embedded={"items": "everything"})
    status = failed_sync(stack, hostile)
    assert status.products == 2
    assert status.last_success_at is not None
