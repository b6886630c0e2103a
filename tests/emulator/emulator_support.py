"""Test helpers: an emulator driven over real HTTP, like a browser and an App would."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from pim_emulator.clock import ManualClock
from pim_emulator.config import EmulatorConfig

CLIENT_ID = "e4d35502-08c9-40b4-a378-05d4cb255862"
CLIENT_SECRET = "the-app-secret"
APP_URL = "http://app.example.test"  # never contacted: tests stop at the 302 to the callback
CALLBACK_URL = APP_URL + "/callback"
CODE_IDENTIFIER = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e"


def challenge(code_identifier: str = CODE_IDENTIFIER, secret: str = CLIENT_SECRET) -> str:
    return hashlib.sha256((code_identifier + secret).encode()).hexdigest()


def token_request(code: str) -> dict[str, str]:
    """The App's form-encoded token request for this code."""
    return {
        "client_id": CLIENT_ID,
        "code": code,
        "grant_type": "authorization_code",
        "code_identifier": CODE_IDENTIFIER,
        "code_challenge": challenge(),
    }


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@dataclass
class Emulator:
    url: str
    clock: ManualClock
    config: EmulatorConfig
    # One browser: it carries the emulator's session cookie between authorize and consent.
    browser: requests.Session = field(default_factory=requests.Session)

    # --- the browser's side ---------------------------------------------------------------

    def authorize(self, scope: str | None = "read_products", **params: Any) -> requests.Response:
        query = {"response_type": "code", "client_id": CLIENT_ID, **params}
        if scope is not None:
            query["scope"] = scope
        query = {k: v for k, v in query.items() if v is not None}
        return self.browser.get(
            f"{self.url}/connect/apps/v1/authorize", params=query, allow_redirects=False, timeout=10
        )

    def allow(self, client_id: str = CLIENT_ID) -> requests.Response:
        return self.browser.post(
            f"{self.url}/connect/apps/confirm",
            data={"client_id": client_id},
            allow_redirects=False,
            timeout=10,
        )

    def code_for(self, scope: str = "read_products", **params: Any) -> str:
        """Go through authorize, and the consent page when one is shown; return the code."""
        response = self.authorize(scope, **params)
        assert response.status_code == 302, response.text
        location = response.headers["Location"]
        if not location.startswith(CALLBACK_URL):
            assert "client_id=" in location, location  # a consent page
            response = self.allow()
            location = response.headers["Location"]
        assert location.startswith(CALLBACK_URL + "?"), location
        return query_of(location)["code"][0]

    # --- the App's server side ------------------------------------------------------------

    def exchange(self, code: str, **overrides: Any) -> requests.Response:
        body = {k: v for k, v in {**token_request(code), **overrides}.items() if v is not None}
        return requests.post(f"{self.url}/connect/apps/v1/oauth2/token", data=body, timeout=10)

    def connect(self, scope: str = "read_products", **params: Any) -> dict[str, Any]:
        """Authorize, consent and exchange: the token response."""
        response = self.exchange(self.code_for(scope, **params))
        assert response.status_code == 200, response.text
        return response.json()

    def token(self, scope: str = "read_products") -> str:
        return self.connect(scope)["access_token"]

    def api(self, path: str, token: str | None = None, **params: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = path if path.startswith("http") else f"{self.url}/api/rest/v1/{path}"
        return requests.get(url, headers=headers, params=params, timeout=10)

    def get_json(self, url: str, token: str) -> Any:
        response = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def send(self, method: str, path: str, token: str, body: Any = None) -> requests.Response:
        """A REST call with a JSON body (a str is sent as is, to try bodies that are not JSON)."""
        return requests.request(
            method,
            f"{self.url}/api/rest/v1/{path}",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            data=body if isinstance(body, str) or body is None else json.dumps(body),
            timeout=10,
        )

    # --- the control API --------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        return requests.get(f"{self.url}/_emulator/state", timeout=10).json()

    def control(self, action: str, body: dict[str, Any] | None = None) -> requests.Response:
        return requests.post(f"{self.url}/_emulator/{action}", json=body or {}, timeout=10)

    def page(self, path: str) -> requests.Response:
        return self.browser.get(f"{self.url}{path}", allow_redirects=False, timeout=10)


def not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
