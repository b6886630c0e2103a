"""OpenID Connect: who went through authorize, from the id_token the PIM sends with the access token.

The id_token is a JWT the PIM signs with RS256; its public key is an X.509 certificate at
`{pim_url}/connect/apps/v1/openid/public-key`, with no key id. PyJWT checks the signature (RS256 only: `none`
and HMAC are refused), `aud` (the client ID), `exp` and `iat` with a small leeway, and that `sub` is there;
`iss` must be the PIM's URL. Only `sub` identifies the user: name and email are editable in the PIM and
unverified.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from .pim_http import PimCallError, send
from .pim_url import InvalidPimUrl, normalize_pim_url
from .printable import printable

PUBLIC_KEY_PATH = "/connect/apps/v1/openid/public-key"
PUBLIC_KEY_SECONDS = 5.0  # a small JSON document; twice this plus the token request stays below 30 s
PUBLIC_KEY_MAX_BYTES = 16 * 1024  # a 4096-bit certificate is about 2 KB
ALGORITHM = "RS256"  # the PIM's only algorithm; pinned so a token cannot choose its own
LEEWAY = 60  # seconds of clock difference allowed between the PIM and the App on exp and iat
MAX_SUB_LENGTH = 255  # the PIM's sub is a UUID
MAX_CLAIM_LENGTH = 200
CACHED_PIMS = 256  # public keys kept in memory; the least recently used goes first
# After a re-fetch brought back the key already cached, bad signatures from that PIM fetch nothing for this
# long: a stream of forged tokens costs the PIM one request, not one per callback.
REFETCH_PAUSE = 60.0


class SignInProblem(Enum):
    NO_ID_TOKEN = "no_id_token"  # noqa: S105 - a problem name, not a secret
    MALFORMED = "malformed"
    ALGORITHM = "algorithm"
    SIGNATURE = "signature"
    ISSUER = "issuer"
    AUDIENCE = "audience"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    MISSING_SUB = "missing_sub"
    KEY_UNAVAILABLE = "key_unavailable"


class SignInError(Exception):
    def __init__(self, problem: SignInProblem, detail: str = "") -> None:
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True)
class Identity:
    """A PIM user, as the id_token names them: `(pim_url, sub)` is who they are, the rest is display."""

    pim_url: str
    sub: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


@dataclass
class _CachedKey:
    key: RSAPublicKey
    confirmed_at: float | None = None  # when a re-fetch last brought this same key back


class PublicKeyCache:
    """Each PIM's public key, in this process's memory.

    Memory, not the database: the key is public, so there is nothing to protect or share, and a worker that
    starts cold pays one small request per PIM. A stale key heals itself: a signature that fails with a
    cached key fetches the key again, once, unless a re-fetch confirmed that key within REFETCH_PAUSE.
    Bounded, so a stream of PIMs cannot grow it without end.
    """

    def __init__(self, size: int = CACHED_PIMS, clock: Callable[[], float] = time.monotonic) -> None:
        self._keys: OrderedDict[str, _CachedKey] = OrderedDict()
        self._size = size
        self._clock = clock
        self._lock = threading.Lock()

    def get(self, pim_url: str) -> RSAPublicKey | None:
        with self._lock:
            cached = self._keys.get(pim_url)
            if cached is None:
                return None
            self._keys.move_to_end(pim_url)
            return cached.key

    def put(self, pim_url: str, key: RSAPublicKey) -> None:
        with self._lock:
            self._keys[pim_url] = _CachedKey(key)
            self._keys.move_to_end(pim_url)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def confirm(self, pim_url: str) -> None:
        """A re-fetch brought back the cached key: it is current, whatever signature failed with it."""
        with self._lock:
            if (cached := self._keys.get(pim_url)) is not None:
                cached.confirmed_at = self._clock()

    def confirmed_recently(self, pim_url: str) -> bool:
        with self._lock:
            cached = self._keys.get(pim_url)
            confirmed_at = cached.confirmed_at if cached else None
            return confirmed_at is not None and self._clock() - confirmed_at < REFETCH_PAUSE


def verify_id_token(
    id_token: str | None,
    *,
    pim_url: str,
    client_id: str,
    http: requests.Session,
    keys: PublicKeyCache,
    seconds: float = PUBLIC_KEY_SECONDS,
) -> Identity:
    """The user this id_token names, or SignInError saying which check failed.

    The key comes from the cache when it holds one; a signature that fails with a cached key is checked
    once more with a freshly fetched key (the PIM rotates its keys and names none), unless a re-fetch just
    confirmed the cached one.
    """
    if not id_token:
        raise SignInError(SignInProblem.NO_ID_TOKEN)
    _check_header(id_token)
    cached = keys.get(pim_url)
    key = cached or fetch_public_key(http, pim_url, seconds)
    try:
        claims = _decode(id_token, key, client_id)
    except SignInError as error:
        if error.problem is not SignInProblem.SIGNATURE or cached is None or keys.confirmed_recently(pim_url):
            raise
        fresh = fetch_public_key(http, pim_url, seconds)
        if fresh.public_numbers() == cached.public_numbers():
            keys.confirm(pim_url)
            raise
        key = fresh
        claims = _decode(id_token, key, client_id)
    finally:
        # Keep whichever key was fetched last, even when the token was bad: the key itself was fine.
        if key is not cached:
            keys.put(pim_url, key)
    return _identity(claims, pim_url)


def fetch_public_key(
    http: requests.Session, pim_url: str, seconds: float = PUBLIC_KEY_SECONDS
) -> RSAPublicKey:
    """The PIM's RSA public key, from the certificate it publishes (a bare PEM public key is accepted too)."""
    try:
        reply = send(
            http,
            "GET",
            f"{pim_url}{PUBLIC_KEY_PATH}",
            seconds=seconds,
            max_bytes=PUBLIC_KEY_MAX_BYTES,
            headers={"Accept": "application/json"},
        )
    except PimCallError as error:
        raise SignInError(SignInProblem.KEY_UNAVAILABLE, error.message) from error
    if reply.status != 200:
        raise SignInError(SignInProblem.KEY_UNAVAILABLE, f"the PIM answered HTTP {reply.status}")
    try:
        body = reply.json()
    except ValueError:
        body = None
    pem = body.get("public_key") if isinstance(body, dict) else None
    if not isinstance(pem, str):
        raise SignInError(SignInProblem.KEY_UNAVAILABLE, "the answer holds no public_key")
    key = _load_key(pem.encode())
    if not isinstance(key, RSAPublicKey):
        raise SignInError(SignInProblem.KEY_UNAVAILABLE, "the public key is not an RSA key")
    return key


def _load_key(pem: bytes) -> object:
    try:
        if b"BEGIN CERTIFICATE" in pem:
            return x509.load_pem_x509_certificate(pem).public_key()
        return load_pem_public_key(pem)
    except ValueError as error:
        raise SignInError(SignInProblem.KEY_UNAVAILABLE, "the public key is not a readable PEM") from error


def _check_header(id_token: str) -> None:
    """The algorithm before anything else: `none` or HS256 say the token was not made by the PIM."""
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as error:
        raise SignInError(SignInProblem.MALFORMED, "not a JSON Web Token") from error
    algorithm = header.get("alg")
    if algorithm != ALGORITHM:
        shown = printable(algorithm, 20) if isinstance(algorithm, str) else "none given"
        raise SignInError(SignInProblem.ALGORITHM, f"signed with {shown}, not {ALGORITHM}")


def _decode(id_token: str, key: RSAPublicKey, client_id: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=[ALGORITHM],
            audience=client_id,
            leeway=LEEWAY,
            # strict_aud: aud is the client ID as one string, as the PIM sends it; a list may name other Apps.
            options={"require": ["iss", "aud", "exp", "iat", "sub"], "strict_aud": True},
        )
    except jwt.InvalidSignatureError as error:
        raise SignInError(SignInProblem.SIGNATURE, "the signature does not match the PIM's key") from error
    except jwt.InvalidAlgorithmError as error:
        raise SignInError(SignInProblem.ALGORITHM, str(error)) from error
    except jwt.ExpiredSignatureError as error:
        raise SignInError(SignInProblem.EXPIRED, "its exp is in the past") from error
    except jwt.ImmatureSignatureError as error:
        raise SignInError(SignInProblem.NOT_YET_VALID, "its iat is in the future") from error
    except jwt.InvalidAudienceError as error:
        raise SignInError(SignInProblem.AUDIENCE, "its aud is not this App's client ID") from error
    except jwt.MissingRequiredClaimError as error:
        if error.claim == "sub":
            raise SignInError(SignInProblem.MISSING_SUB, "it has no sub") from error
        raise SignInError(SignInProblem.MALFORMED, f"it has no {error.claim}") from error
    except jwt.PyJWTError as error:
        raise SignInError(SignInProblem.MALFORMED, printable(str(error), 200)) from error
    return claims


def _identity(claims: dict[str, Any], pim_url: str) -> Identity:
    issuer = claims.get("iss")
    if not isinstance(issuer, str) or not _names_this_pim(issuer, pim_url):
        shown = printable(issuer, 100) if isinstance(issuer, str) else json.dumps(issuer)[:100]
        raise SignInError(SignInProblem.ISSUER, f"issued by {shown}, not {pim_url}")
    sub = claims.get("sub")
    # Printable only: the sub goes into the database (PostgreSQL refuses a NUL), log lines and pages as it is.
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_SUB_LENGTH or not sub.isprintable():
        raise SignInError(SignInProblem.MISSING_SUB, "its sub is empty, too long or not printable")
    return Identity(
        pim_url=pim_url,
        sub=sub,
        first_name=_text_claim(claims, "firstname"),
        last_name=_text_claim(claims, "lastname"),
        email=_text_claim(claims, "email"),
    )


def _names_this_pim(issuer: str, pim_url: str) -> bool:
    """Whether `iss` is this PIM's URL. The PIM sends its URL as configured (capitals, default port or
    trailing slash included) in `iss` as in `pim_url`; the App normalised `pim_url`, so `iss` is too."""
    try:
        return normalize_pim_url(issuer, [urlsplit(pim_url).hostname or ""]) == pim_url
    except InvalidPimUrl:
        return False


def _text_claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name)
    return printable(value.strip(), MAX_CLAIM_LENGTH) if isinstance(value, str) else ""
