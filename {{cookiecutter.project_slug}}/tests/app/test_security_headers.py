"""Every answer carries the headers that keep browsers from leaking the callback's code or framing the App."""

import pytest

from {{ cookiecutter.package_name }}.web import create_app

from tests.support.app_settings import make_settings


@pytest.fixture
def client(tmp_path):
    return create_app(make_settings(database_url=f"sqlite:///{tmp_path / 'app.sqlite3'}")).test_client()


@pytest.mark.parametrize("path", ["/", "/health", "/activate", "/callback?state=x", "/nowhere"])
def test_every_answer_has_the_security_headers(client, path):
    headers = client.get(path).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_are_not_kept_by_caches(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_hsts_only_when_the_app_is_served_over_https(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    plain = create_app(make_settings(database_url=database_url)).test_client().get("/")
    secure = (
        create_app(make_settings(database_url=database_url, app_url="https://app.example.com"))
        .test_client()
        .get("/")
    )
    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
