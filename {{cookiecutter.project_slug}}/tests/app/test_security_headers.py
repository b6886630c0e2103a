"""Every answer carries the headers that keep browsers from leaking the callback's code or framing the App."""

import pytest
import requests

from tests.support.stack import app_alone


@pytest.fixture
def app_url(tmp_path):
    with app_alone(tmp_path) as url:
        yield url


@pytest.mark.parametrize(
    "path", ["/", "/health", "/activate", "/callback?state=x", "/nowhere", "/static/style.css"]
)
def test_every_answer_has_the_security_headers(app_url, path):
    headers = requests.get(f"{app_url}{path}", allow_redirects=False, timeout=60).headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_are_not_kept_by_caches(app_url):
    assert requests.get(f"{app_url}/", timeout=60).headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
def test_no_api_documentation_is_served(app_url, path):
    assert requests.get(f"{app_url}{path}", timeout=60).status_code == 404


def test_hsts_only_when_the_app_is_served_over_https(tmp_path, app_url):
    plain = requests.get(f"{app_url}/", timeout=60)
    with app_alone(tmp_path / "secure", app_url="https://app.example.com") as secure_url:
        secure = requests.get(f"{secure_url}/", timeout=60)
    assert "Strict-Transport-Security" not in plain.headers
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
