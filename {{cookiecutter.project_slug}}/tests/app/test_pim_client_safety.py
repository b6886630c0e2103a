"""The client's walks and writes against a PIM that misbehaves on purpose, over real HTTP.

Every guard of a single call holds on the bulk path too: the deadline, the body cap, no redirect, the
origin, the address check; retries never lose or repeat a product, and writes are not sent twice blindly.
"""

import gc
import json
import socket
import threading
import time

import pytest
from flask import Response, jsonify, redirect, request

from {{ cookiecutter.package_name }} import pim_http
from {{ cookiecutter.package_name }}.pim_api import (
    PimApiClient,
    PimApiError,
    PimUnavailable,
    PimValidationError,
    UnexpectedAnswer,
)
from {{ cookiecutter.package_name }}.pim_http import MAX_CONNECTIONS_PER_PIM, build_pim_session

from tests.support.hostile_pim import GOOD_TOKEN, endless, hostile_pim, trickle

CALL_SECONDS = 2.0  # short, so a call that waits for ever fails the test quickly
PATH = "/api/rest/v1/products-uuid"


@pytest.fixture(scope="module")
def session():
    """One PIM session for the module, as the App's services share one."""
    return build_pim_session(frozenset({"127.0.0.1"}), backoff_factor=0.01)


@pytest.fixture
def hostile():
    with hostile_pim("http://127.0.0.1:9") as pim:  # the App's URL is never visited here
        yield pim


def client_for(pim, session):
    return PimApiClient(session, pim.url, GOOD_TOKEN, CALL_SECONDS)


def pages(pim, count, per_page=10, *, links_first=True, fault=None):
    """Products u-00000… served `per_page` at a time with search_after links; `fault(page_number)` may
    return another answer for a page."""
    served = iter(range(1_000_000))

    def answer():
        number = next(served)
        if fault is not None and (other := fault(number)) is not None:
            return other
        after = int(request.args.get("search_after", "0"))
        items = [{"uuid": f"u-{i:05d}"} for i in range(after, min(after + per_page, count))]
        links = {}
        if len(items) == per_page:
            links["next"] = {"href": f"{pim.url}{PATH}?search_after={after + per_page}"}
        body = {"_links": links, "_embedded": {"items": items}}
        if not links_first:
            body = {"_embedded": body["_embedded"], "_links": links}
        return Response(json.dumps(body), mimetype="application/json")

    return answer


@pytest.mark.parametrize("links_first", [True, False], ids=["links-first", "links-last"])
def test_a_walk_yields_every_product_once_whatever_the_key_order(hostile, session, links_first):
    hostile.products_answer = pages(hostile, 95, links_first=links_first)
    uuids = [product["uuid"] for product in client_for(hostile, session).iter_products()]
    assert uuids == [f"u-{i:05d}" for i in range(95)]


def too_many_requests():
    return Response('{"code":429,"message":"Too many requests"}', status=429, headers={"Retry-After": "0"})


def test_429s_in_a_walk_are_waited_out_and_lose_no_product(hostile, session):
    hostile.products_answer = pages(hostile, 100, fault=lambda n: too_many_requests() if n % 2 else None)
    uuids = [product["uuid"] for product in client_for(hostile, session).iter_products()]
    assert uuids == [f"u-{i:05d}" for i in range(100)]
    assert hostile.hits[PATH] == 2 * 11 - 1  # every page asked twice, but the first


@pytest.mark.slow  # waits out the call's deadline
def test_a_trickling_page_in_a_walk_ends_in_unavailable(hostile, session):
    hostile.products_answer = pages(hostile, 50, fault=lambda n: trickle() if n == 2 else None)
    walk = client_for(hostile, session).iter_products()
    assert len([next(walk) for _ in range(20)]) == 20
    with pytest.raises(PimUnavailable, match="did not answer within"):
        list(walk)


def test_a_page_slower_than_the_connect_timeout_still_arrives(hostile, session, monkeypatch):
    # Reading an answer may take up to READ_TIMEOUT (within the deadline): CONNECT_TIMEOUT bounds connecting.
    monkeypatch.setattr(pim_http, "CONNECT_TIMEOUT", 0.1)

    def slow(number):
        if number == 1:
            time.sleep(0.5)
        return None

    hostile.products_answer = pages(hostile, 30, fault=slow)
    patient = PimApiClient(session, hostile.url, GOOD_TOKEN, 30.0)
    assert len(list(patient.iter_products())) == 30


@pytest.fixture
def raw_pim():
    """A PIM on bare sockets, for answers a web framework would tidy up: serve(answer) -> (url, connections).

    `answer(number, after)` gives the number-th request's answer (from 0; `after` is its search_after) as
    (status, body or None for the page of 10 products from `after`, whether to close the connection after
    it without saying so), or None to close the connection without answering. Connections kept alive answer
    request after request; each is counted.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    connections = []
    requests_seen = iter(range(1_000_000))

    def page(after):
        items = [{"uuid": f"u-{i:05d}"} for i in range(after, min(after + 10, 50))]
        links = {"next": {"href": f"{url}{PATH}?search_after={after + 10}"}} if after + 10 < 50 else {}
        return json.dumps({"_links": links, "_embedded": {"items": items}}).encode()

    def converse(connection, answer):
        with connection, connection.makefile("rb") as requests_file:
            while request_line := requests_file.readline().decode():
                while requests_file.readline() not in (b"\r\n", b""):
                    pass
                after = (
                    int(request_line.split("search_after=")[1].split()[0]) if "after=" in request_line else 0
                )
                answered = answer(next(requests_seen), after)
                if answered is None:
                    return  # closed without answering
                status, body, close = answered
                body = page(after) if body is None else body
                head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
                connection.sendall(head.encode() + b"\r\n\r\n" + body)
                if close:
                    return

    def serve(answer):
        def accept():
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connections.append(connection)
                threading.Thread(target=converse, args=(connection, answer), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return url, connections

    yield serve
    listener.close()


def test_a_connection_the_pim_closed_without_saying_so_is_replaced(raw_pim, session):
    url, connections = raw_pim(lambda number, after: (200, None, True))
    client = PimApiClient(session, url, GOOD_TOKEN, 30.0)
    uuids = [product["uuid"] for product in client.iter_products()]
    assert uuids == [f"u-{i:05d}" for i in range(50)]
    assert len(connections) == 5  # a new connection for each page


def test_a_pim_that_closes_the_connection_after_a_503_is_walked_to_the_end(raw_pim, session):
    def answer(number, after):
        return (503, b'{"code":503,"message":"Busy"}', True) if number in (2, 3) else (200, None, False)

    url, _ = raw_pim(answer)
    uuids = [product["uuid"] for product in PimApiClient(session, url, GOOD_TOKEN, 30.0).iter_products()]
    assert uuids == [f"u-{i:05d}" for i in range(50)]


def test_connections_the_pim_drops_after_its_503s_do_not_use_up_the_retries(raw_pim, session):
    # Page 3: a 503, then the kept-alive connection dropped at the next request, three times over (the
    # session allows 3 retries); then the page.
    third_page_answers = iter([(503, b"{}", False), None] * 3 + [(200, None, False)])

    def answer(number, after):
        return next(third_page_answers) if after == 20 else (200, None, False)

    url, _ = raw_pim(answer)
    uuids = [product["uuid"] for product in PimApiClient(session, url, GOOD_TOKEN, 30.0).iter_products()]
    assert uuids == [f"u-{i:05d}" for i in range(50)]


def test_a_503_with_an_empty_body_is_asked_again_on_the_same_connection(raw_pim, session):
    url, connections = raw_pim(lambda number, after: (503, b"", False) if number == 2 else (200, None, False))
    uuids = [product["uuid"] for product in PimApiClient(session, url, GOOD_TOKEN, 30.0).iter_products()]
    assert uuids == [f"u-{i:05d}" for i in range(50)]
    assert len(connections) == 1


@pytest.mark.slow  # waits out the call's deadline
def test_a_pim_that_stops_reading_cannot_hold_a_write_past_its_deadline(monkeypatch):
    # The connect timeout, which urllib3 also gives the sending of a request, far longer than the deadline.
    monkeypatch.setattr(pim_http, "CONNECT_TIMEOUT", 60.0)
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_one_then_stop_reading():
        connection, _ = listener.accept()
        with connection.makefile("rb") as requests_file:
            while requests_file.readline() not in (b"\r\n", b""):
                pass
            connection.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
            )
            time.sleep(120)  # the connection stays open; nothing more is read from it

    threading.Thread(target=answer_one_then_stop_reading, daemon=True).start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    client = PimApiClient(build_pim_session(frozenset({"127.0.0.1"})), url, GOOD_TOKEN, 1.0)
    assert client.get("/api/rest/v1/channels") == {}  # the connection is now kept alive in the pool
    started = time.monotonic()
    with listener, pytest.raises(PimUnavailable, match="did not answer within"):
        client.create_product({"identifier": "sku-1", "values": {"notes": [{"data": "x" * 50_000_000}]}})
    assert time.monotonic() - started < 30  # not the 60 s the send alone would have allowed


@pytest.mark.slow  # the caller's work outlasts the call's deadline on purpose
def test_a_caller_slower_than_the_call_deadline_still_gets_every_page(hostile, session):
    # The next page is asked for before the caller works on this one; its answer waits for the caller.
    hostile.products_answer = pages(hostile, 30)
    walked = []
    for page in client_for(hostile, session).iter_pages(PATH):
        walked += page.items
        time.sleep(CALL_SECONDS + 0.5)
    assert [item["uuid"] for item in walked] == [f"u-{i:05d}" for i in range(30)]


def test_a_huge_page_in_a_walk_is_refused(hostile, session):
    hostile.products_answer = pages(hostile, 50, fault=lambda n: endless() if n == 1 else None)
    with pytest.raises(UnexpectedAnswer, match="larger than the App accepts"):
        list(client_for(hostile, session).iter_products())


def test_a_redirect_in_a_walk_is_not_followed(hostile, session):
    hostile.products_answer = pages(hostile, 50, fault=lambda n: redirect("/elsewhere") if n == 1 else None)
    with pytest.raises(PimApiError, match="does not follow redirects"):
        list(client_for(hostile, session).iter_products())
    assert hostile.hits["/elsewhere"] == 0


def test_a_page_naming_two_next_pages_stops_the_walk(hostile, session):
    first = json.dumps({"next": {"href": f"{hostile.url}{PATH}?search_after=10"}})
    second = json.dumps({"next": {"href": f"{hostile.url}{PATH}?search_after=20"}})
    items = json.dumps({"items": [{"uuid": f"u-{i}"} for i in range(10)]})
    body = '{"_links":' + first + ',"_embedded":' + items + ',"_links":' + second + "}"
    hostile.products_answer = lambda: Response(body, mimetype="application/json")
    with pytest.raises(UnexpectedAnswer, match="two different next pages"):
        list(client_for(hostile, session).iter_products())


def test_a_page_nested_too_deeply_is_refused_like_any_malformed_answer(hostile, session):
    hostile.products_answer = lambda: Response("[" * 100_000 + "]" * 100_000, mimetype="application/json")
    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        list(client_for(hostile, session).iter_products())


def one_page(items_json):
    return lambda: Response(
        '{"_links":{},"_embedded":{"items":' + items_json + "}}", mimetype="application/json"
    )


def test_an_item_that_is_not_an_object_stops_the_walk(hostile, session):
    hostile.products_answer = one_page('[{"uuid": "u-1"}, "not a product"]')
    with pytest.raises(UnexpectedAnswer, match="an item is not an object"):
        list(client_for(hostile, session).iter_products())


def test_an_item_nested_too_deeply_is_refused_like_any_malformed_answer(hostile, session):
    hostile.products_answer = one_page('[{"uuid": "u-1", "values": ' + "[" * 100_000 + "]" * 100_000 + "}]")
    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        list(client_for(hostile, session).iter_products())


@pytest.mark.parametrize(
    "page",
    [
        b'{"_links":{"self":{"href":"\xff"}},"_embedded":{"items":[]}}',
        b'{"_links":{},"_embedded":{"items":[{"uuid":"\xff"}]}}',
        b'{"_links":{},"_embedded":{"items":[{"uuid":"u-1","weight":1e400}]}}',
    ],
    ids=["bad-utf8-in-links", "bad-utf8-in-an-item", "number-out-of-range-in-an-item"],
)
def test_a_page_that_is_not_valid_json_stops_the_walk_with_a_clear_error(hostile, session, page):
    hostile.products_answer = lambda: Response(page, mimetype="application/json")
    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        list(client_for(hostile, session).iter_products())


def test_a_page_whose_items_are_not_a_list_stops_the_walk(hostile, session):
    hostile.products_answer = one_page('{"uuid": "u-1"}')
    with pytest.raises(UnexpectedAnswer, match="no list of items"):
        list(client_for(hostile, session).iter_products())


def test_a_long_cycle_of_next_links_stops_the_walk(hostile, session):
    def cycle():
        after = int(request.args.get("search_after", "0"))
        link = f"{hostile.url}{PATH}?search_after={(after + 1) % 100}"  # back to the start after 100 pages
        return jsonify(_links={"next": {"href": link}}, _embedded={"items": [{"uuid": f"u-{after}"}]})

    hostile.products_answer = cycle
    with pytest.raises(UnexpectedAnswer, match="points back to a page already read"):
        list(client_for(hostile, session).iter_products())
    assert hostile.hits[PATH] < 3 * 100


def test_a_walk_refuses_a_pim_on_the_apps_own_machine():
    unguarded = build_pim_session()  # 127.0.0.1 not listed in ALLOWED_PIM_HOSTS
    client = PimApiClient(unguarded, "http://127.0.0.1:9", GOOD_TOKEN, CALL_SECONDS)
    with pytest.raises(PimUnavailable, match="loopback, link-local or metadata"):
        list(client.iter_products())


# The cycle collector: paused while a page is decoded (a page holds no cycle), never left paused


def test_the_cycle_collector_runs_while_the_caller_holds_a_page(hostile, session):
    hostile.products_answer = pages(hostile, 30)
    running = [gc.isenabled() for _ in client_for(hostile, session).iter_products()]
    assert running == [True] * 30


def test_a_walk_left_in_a_reference_cycle_leaves_the_collector_running(hostile, session):
    hostile.products_answer = pages(hostile, 30)

    def sync_that_fails():
        walk = client_for(hostile, session).iter_products()
        try:
            for _ in walk:
                raise RuntimeError("the database is down")
        except RuntimeError as error:
            failure = (
                error  # the frame holds the error, whose traceback holds the frame: `walk` is in a cycle
            )
        return failure

    sync_that_fails()
    assert gc.isenabled()


def test_the_cycle_collector_runs_again_after_a_walk(hostile, session):
    hostile.products_answer = pages(hostile, 30)
    assert len(list(client_for(hostile, session).iter_products())) == 30
    assert gc.isenabled()


def test_the_cycle_collector_runs_again_after_a_walk_stopped_early(hostile, session):
    hostile.products_answer = pages(hostile, 30)
    walk = client_for(hostile, session).iter_products()
    next(walk)
    walk.close()
    assert gc.isenabled()


def test_the_cycle_collector_runs_again_after_a_walk_that_failed(hostile, session):
    not_json = Response("{not json", mimetype="application/json")
    hostile.products_answer = pages(hostile, 30, fault=lambda n: not_json if n == 1 else None)
    with pytest.raises(UnexpectedAnswer, match="not JSON"):
        list(client_for(hostile, session).iter_products())
    assert gc.isenabled()


# Writes


def test_a_write_answered_503_is_not_sent_again(hostile, session):
    hostile.write_answer = lambda: Response('{"code":503,"message":"Unavailable"}', status=503)
    with pytest.raises(PimUnavailable):
        client_for(hostile, session).create_product({"identifier": "sku-1"})
    assert hostile.writes == ["POST"]


@pytest.mark.slow  # waits out the call's deadline
def test_a_write_whose_answer_never_comes_is_not_sent_again(hostile, session):
    hostile.write_answer = trickle
    with pytest.raises(PimUnavailable, match="did not answer within"):
        client_for(hostile, session).update_product("u-1", {"enabled": False})
    assert hostile.writes == ["PATCH"]


@pytest.mark.slow  # waits out Retry-After
def test_a_write_answered_429_is_sent_again_only_after_retry_after(hostile, session):
    answers = iter([Response('{"code":429,"message":"Slow down"}', status=429, headers={"Retry-After": "1"})])
    hostile.write_answer = lambda: next(answers, Response(status=204))
    patient = PimApiClient(session, hostile.url, GOOD_TOKEN, 10.0)  # time enough to wait one second
    assert patient.delete_product("u-1") is None
    assert hostile.writes == ["DELETE", "DELETE"]


def test_a_422_keeps_the_well_formed_errors_only(hostile, session):
    errors = [
        {"property": "values", "attribute": "name", "locale": "en_US", "message": "Too long."},
        "not an object",
        {"property": "family"},
        {"property": "identifier", "message": "Taken.\x00"},
    ]
    hostile.write_answer = lambda: Response(
        json.dumps({"code": 422, "message": "Validation failed.", "errors": errors}), status=422
    )
    with pytest.raises(PimValidationError) as refused:
        client_for(hostile, session).create_product({"identifier": "sku-1"})
    assert [(e.property, e.message) for e in refused.value.errors] == [
        ("values", "Too long."),
        ("identifier", "Taken.?"),
    ]
    assert "values (name, en_US): Too long." in str(refused.value)


# Fair use


def test_no_more_than_four_calls_reach_one_pim_at_once(hostile, session):
    busy = 0
    most = 0
    lock = threading.Lock()

    def slow_page():
        nonlocal busy, most
        with lock:
            busy += 1
            most = max(most, busy)
        time.sleep(0.3)
        with lock:
            busy -= 1
        return jsonify(_links={}, _embedded={"items": []})

    hostile.products_answer = slow_page
    client = PimApiClient(session, hostile.url, GOOD_TOKEN, 30.0)
    failures = []

    def call():
        try:
            client.first_products()
        except PimApiError as error:
            failures.append(error)

    callers = [threading.Thread(target=call) for _ in range(10)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join()
    assert failures == []
    assert most == MAX_CONNECTIONS_PER_PIM == 4
