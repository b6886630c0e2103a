"""Akeneo's App authorization: the authorize URL and the code-for-token exchange.

Akeneo's variant of OAuth 2.0: no client secret and no redirect_uri on the wire; instead the App proves it
knows the secret with `code_challenge = sha256_hex(code_identifier + client_secret)`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import quote, urlencode

import requests

from .pim_http import CallFailure, PimCallError, PimReply, send
from .printable import printable
from .scopes import granted_scopes

AUTHORIZE_PATH = "/connect/apps/v1/authorize"
TOKEN_PATH = "/connect/apps/v1/oauth2/token"  # noqa: S105 - a path, not a secret
CODE_IDENTIFIER_BYTES = 32  # the docs ask for a high-entropy value; at least 30 bytes
# A code lives 30 seconds: past 15, waiting longer would only spend it.
TOKEN_SECONDS = 15.0
TOKEN_MAX_BYTES = 64 * 1024
# Akeneo's tokens are 86 alphanumeric characters; allow any bearer token (RFC 6750 characters), bounded.
ACCESS_TOKEN = re.compile(r"[A-Za-z0-9._~+/-]{1,2048}=*")
ID_TOKEN = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
MAX_ID_TOKEN_LENGTH = 16 * 1024


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
    FORBIDDEN_ADDRESS = "forbidden_address"


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
    seconds: float = TOKEN_SECONDS,
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
        reply = send(
            http,
            "POST",
            f"{pim_url}{TOKEN_PATH}",
            seconds=seconds,
            max_bytes=TOKEN_MAX_BYTES,
            data=form,
            headers={"Accept": "application/json"},
        )
    except PimCallError as error:
        raise TokenExchangeError(_CALL_FAILURES[error.failure], error.message) from error
    return _read_token_response(reply)


_CALL_FAILURES = {
    CallFailure.TIMEOUT: ExchangeFailure.TIMEOUT,
    CallFailure.UNREACHABLE: ExchangeFailure.UNREACHABLE,
    CallFailure.FORBIDDEN_ADDRESS: ExchangeFailure.FORBIDDEN_ADDRESS,
    CallFailure.TOO_LARGE: ExchangeFailure.PIM_ERROR,
}


def _read_token_response(reply: PimReply) -> AccessGrant:
    try:
        body = reply.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}

    if reply.status == 400:
        raise _rejection(_text(body.get("error")), _text(body.get("error_description")))
    if 300 <= reply.status < 400:
        raise TokenExchangeError(ExchangeFailure.PIM_ERROR, f"the PIM redirected (HTTP {reply.status})")
    if reply.status != 200:
        raise TokenExchangeError(ExchangeFailure.PIM_ERROR, f"HTTP {reply.status}")

    access_token = body.get("access_token")
    if not isinstance(access_token, str) or not ACCESS_TOKEN.fullmatch(access_token):
        raise TokenExchangeError(ExchangeFailure.PIM_ERROR, "the answer holds no valid access_token")
    scope = body.get("scope")
    id_token = body.get("id_token")
    if (
        not isinstance(id_token, str)
        or len(id_token) > MAX_ID_TOKEN_LENGTH
        or not ID_TOKEN.fullmatch(id_token)
    ):
        id_token = None
    return AccessGrant(
        access_token=access_token,
        scopes=granted_scopes(scope) if isinstance(scope, str) else (),
        id_token=id_token,
    )


def _text(value: object) -> str:
    """A PIM-sent string fit for a page and a log line."""
    return printable(value, 200) if isinstance(value, str) else ""


def _rejection(error: str, description: str) -> TokenExchangeError:
    detail = f"{error}: {description}" if description else error
    if error == "invalid_grant" and "expired" in description.lower():
        return TokenExchangeError(ExchangeFailure.CODE_EXPIRED, detail)
    if error == "invalid_grant":
        return TokenExchangeError(ExchangeFailure.CODE_INVALID, detail)
    if error == "invalid_client":
        return TokenExchangeError(ExchangeFailure.INVALID_CLIENT, detail)
    return TokenExchangeError(ExchangeFailure.REJECTED, detail or "HTTP 400")
