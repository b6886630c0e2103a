"""Akeneo's App authorization: the authorize URL and the code-for-token exchange.

Akeneo's variant of OAuth 2.0: no client secret and no redirect_uri on the wire; instead the App proves it
knows the secret with `code_challenge = sha256_hex(code_identifier + client_secret)`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import quote, urlencode

import requests

from .http import TIMEOUT
from .scopes import parse_scopes

AUTHORIZE_PATH = "/connect/apps/v1/authorize"
TOKEN_PATH = "/connect/apps/v1/oauth2/token"  # noqa: S105 - a path, not a secret
CODE_IDENTIFIER_BYTES = 32  # the docs ask for a high-entropy value; at least 30 bytes


def authorize_url(pim_url: str, client_id: str, scope: str, state: str) -> str:
    # quote (not quote_plus): spaces become %20, and every reserved character in state or scope is encoded.
    query = urlencode(
        {"response_type": "code", "client_id": client_id, "scope": scope, "state": state},
        quote_via=quote,
    )
    return f"{pim_url}{AUTHORIZE_PATH}?{query}"


def code_challenge(code_identifier: str, client_secret: str) -> str:
    return hashlib.sha256((code_identifier + client_secret).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessGrant:
    access_token: str = field(repr=False)
    scopes: tuple[str, ...]
    id_token: str | None = field(default=None, repr=False)


class ExchangeFailure(Enum):
    CODE_EXPIRED = "code_expired"
    CODE_INVALID = "code_invalid"
    INVALID_CLIENT = "invalid_client"
    REJECTED = "rejected"  # any other 400: the request itself was malformed
    PIM_ERROR = "pim_error"  # 5xx, a redirect or a body that is not a token
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"


class TokenExchangeError(Exception):
    def __init__(self, failure: ExchangeFailure, detail: str = "") -> None:
        super().__init__(f"{failure.value}: {detail}" if detail else failure.value)
        self.failure = failure
        self.detail = detail


def exchange_code(
    http: requests.Session,
    pim_url: str,
    client_id: str,
    client_secret: str,
    code: str,
    timeout: tuple[float, float] = TIMEOUT,
) -> AccessGrant:
    code_identifier = secrets.token_hex(CODE_IDENTIFIER_BYTES)
    form = {
        "client_id": client_id,
        "code": code,
        "grant_type": "authorization_code",
        "code_identifier": code_identifier,
        "code_challenge": code_challenge(code_identifier, client_secret),
    }
    try:
        # No redirects: requests would turn the POST into a GET and lose the form.
        response = http.post(
            f"{pim_url}{TOKEN_PATH}",
            data=form,
            headers={"Accept": "application/json"},
            timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout as error:
        raise TokenExchangeError(ExchangeFailure.TIMEOUT, str(error)) from error
    except requests.RequestException as error:
        raise TokenExchangeError(ExchangeFailure.UNREACHABLE, str(error)) from error
    return _read_token_response(response)


def _read_token_response(response: requests.Response) -> AccessGrant:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}

    if response.status_code == 400:
        raise _rejection(str(body.get("error", "")), str(body.get("error_description", "")))
    if 300 <= response.status_code < 400:
        location = response.headers.get("Location", "")
        raise TokenExchangeError(
            ExchangeFailure.PIM_ERROR, f"the PIM redirected to {location or 'elsewhere'}"
        )
    if response.status_code != 200:
        raise TokenExchangeError(ExchangeFailure.PIM_ERROR, f"HTTP {response.status_code}")

    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise TokenExchangeError(ExchangeFailure.PIM_ERROR, "the answer holds no access_token")
    scope = body.get("scope")
    id_token = body.get("id_token")
    return AccessGrant(
        access_token=access_token,
        scopes=parse_scopes(scope) if isinstance(scope, str) else (),
        id_token=id_token if isinstance(id_token, str) else None,
    )


def _rejection(error: str, description: str) -> TokenExchangeError:
    detail = f"{error}: {description}" if description else error
    if error == "invalid_grant" and "expired" in description.lower():
        return TokenExchangeError(ExchangeFailure.CODE_EXPIRED, detail)
    if error == "invalid_grant":
        return TokenExchangeError(ExchangeFailure.CODE_INVALID, detail)
    if error == "invalid_client":
        return TokenExchangeError(ExchangeFailure.INVALID_CLIENT, detail)
    return TokenExchangeError(ExchangeFailure.REJECTED, detail or "HTTP 400")
