"""Fuzzing /activate and /callback on the development server and under gunicorn: no 5xx, nothing dropped.

A fixed seed and a bounded count per run (FUZZ_COUNT, default 250 per server); `make fuzz` sends 10,000.
"""

import os

import pytest

from {{ cookiecutter.package_name }}.services import build_services
from {{ cookiecutter.package_name }}.web import create_app
from {{ cookiecutter.package_name }}.web.dev_server import AppServer

from tests.support.app_settings import make_settings
from tests.support.fuzz import fuzz_inputs, send_all
from tests.support.serving import gunicorn

pytestmark = pytest.mark.slow  # hundreds of requests per server

COUNT = int(os.environ.get("FUZZ_COUNT", "250"))
SEED = int(os.environ.get("FUZZ_SEED", "20261128"))


def assert_clean(report, name):
    print(report.summary(name))
    assert report.sent == COUNT
    assert report.dropped == 0, f"dropped, e.g. {report.examples.get('dropped')!r}"
    assert report.server_errors == 0, {s: e for s, e in report.examples.items() if s.startswith("5")}


def test_the_development_server_answers_every_input_without_a_server_error(tmp_path):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with AppServer(create_app(services=build_services(settings))) as server:
        report = send_all(server.host, server.port, fuzz_inputs(SEED, COUNT))
    assert_clean(report, "development server")


def test_gunicorn_answers_every_input_without_a_server_error(database_url, unused_port, tmp_path):
    with gunicorn(database_url, unused_port, tmp_path / "gunicorn.log"):
        report = send_all("127.0.0.1", unused_port, fuzz_inputs(SEED + 1, COUNT))
    assert_clean(report, "gunicorn")


@pytest.mark.parametrize(
    "request_line", [b"GET", b"\x16\x03\x01\x00", b"GET /activate HTTP/1.1x", b"G\xc3T / HTTP/1.1"]
)
def test_the_development_server_answers_a_malformed_request_line(tmp_path, request_line):
    settings = make_settings(database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}")
    with AppServer(create_app(settings)) as server:
        report = send_all(server.host, server.port, iter([request_line + b"\r\n\r\n"]))
    assert report.dropped == 0
    assert [status[0] for status in report.statuses] == ["4"]
