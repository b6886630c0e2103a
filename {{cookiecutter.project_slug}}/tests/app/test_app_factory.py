"""How the App is put together: cookie settings per deployment, and start-up errors."""

import os
import subprocess
import sys

import pytest
import requests

from {{ cookiecutter.package_name }}.web.session_cookie import COOKIE_NAME

from tests.support.stack import app_alone

FORWARDED = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "forwarded.example.com",
    "X-Forwarded-For": "1.2.3.4",
}


def session_cookie_of(tmp_path, app_url):
    """The Set-Cookie of an activation on an App served at app_url."""
    with app_alone(tmp_path, app_url=app_url) as url:
        response = requests.get(
            f"{url}/activate",
            params={"pim_url": "https://acme.cloud.akeneo.com"},
            allow_redirects=False,
            timeout=60,
        )
    return response.headers["Set-Cookie"]


def test_the_session_cookie_is_secure_when_the_app_is_served_over_https(tmp_path):
    cookie = session_cookie_of(tmp_path, "https://app.example.com")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie


def test_the_session_cookie_is_named_after_the_app():
    # The PIM emulator runs on the same host: a shared cookie name would clobber one session with the other.
    assert COOKIE_NAME == "{{ cookiecutter.package_name }}_session"


def test_starting_without_credentials_fails_with_a_clear_message(tmp_path):
    env = {**os.environ, "AKENEO_CLIENT_ID": "", "AKENEO_CLIENT_SECRET": ""}
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}.web"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "AKENEO_CLIENT_ID is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("trusted_proxies", [0, 1])
def test_the_dashboard_builds_its_urls_from_app_url_never_from_request_headers(tmp_path, trusted_proxies):
    with app_alone(tmp_path, app_url="https://app.example.com", trusted_proxies=trusted_proxies) as url:
        page = requests.get(f"{url}/", headers={**FORWARDED, "Host": "evil.example.com"}, timeout=60)
    assert "https://app.example.com/activate" in page.text
    assert "https://app.example.com/callback" in page.text
    assert "evil.example.com" not in page.text
    assert "forwarded.example.com" not in page.text


def test_an_upper_case_https_app_url_still_makes_the_cookie_secure(tmp_path):
    assert "Secure" in session_cookie_of(tmp_path, "HTTPS://App.Example.com")
