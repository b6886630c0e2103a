"""OpenID Connect: the PIM's signing keys, its public-key certificate and id_tokens (and broken ones, on
demand, so an App's checks can be tried)."""

import base64
import hashlib
import hmac
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

ID_TOKEN_LIFETIME = 3600.0


@dataclass(frozen=True)
class SigningKeys:
    private_key: rsa.RSAPrivateKey
    certificate_pem: str  # what the public-key endpoint publishes: a certificate, not a bare key


@dataclass(frozen=True)
class IdentityClaims:
    """What the PIM knows about the user who went through authorize."""

    sub: str
    first_name: str
    last_name: str
    email: str


# Broken id_tokens an App must refuse, each failing one check (faults.ID_TOKEN_FAULTS names them).
FORGED_SIGNATURE = "forged_signature"  # the PIM's key, a signature altered afterwards
OTHER_KEY = "other_key"  # a valid RS256 signature by a key the PIM does not publish
WRONG_ISSUER = "wrong_issuer"
WRONG_AUDIENCE = "wrong_audience"
EXPIRED = "expired"
ALG_NONE = "alg_none"  # unsigned
HS256_PUBLIC_KEY = "hs256_public_key"  # HMAC keyed with the published certificate: the classic confusion
MISSING_SUB = "missing_sub"
NO_ID_TOKEN = "missing"  # noqa: S105 - a fault name: the answer carries no id_token at all
ID_TOKEN_FAULTS = (
    FORGED_SIGNATURE,
    OTHER_KEY,
    WRONG_ISSUER,
    WRONG_AUDIENCE,
    EXPIRED,
    ALG_NONE,
    HS256_PUBLIC_KEY,
    MISSING_SUB,
    NO_ID_TOKEN,
)
FOREIGN_ISSUER = "https://not-this-pim.example.com"
FOREIGN_AUDIENCE = "00000000-0000-4000-8000-000000000000"

_keys: dict[str, SigningKeys] = {}
_keys_lock = threading.Lock()


def signing_keys() -> SigningKeys:
    """The process-wide key pair, generated on first use (RSA generation takes a moment)."""
    return _shared_keys("pim")  # one key pair per process, like one PIM instance


def _other_keys() -> SigningKeys:
    """A second key pair, never published: what a forger would sign with."""
    return _shared_keys("forger")


def _shared_keys(name: str) -> SigningKeys:
    with _keys_lock:
        if name not in _keys:
            _keys[name] = generate_keys()
        return _keys[name]


def generate_keys() -> SigningKeys:
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Akeneo")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(datetime.now(UTC))
        .not_valid_after(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC))
        .sign(private_key, hashes.SHA256())
    )
    pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
    return SigningKeys(private_key=private_key, certificate_pem=pem)


def create_id_token(
    *,
    issuer: str,
    audience: str,
    identity: IdentityClaims,
    consented_scopes: tuple[str, ...],
    now: float,
    keys: SigningKeys | None = None,
    fault: str | None = None,
) -> str | None:
    """An RS256 id_token shaped like the PIM's: float iat/exp, string aud, no `kid` header.

    `fault` breaks one thing about it (see the names above); NO_ID_TOKEN gives None.
    """
    keys = keys or signing_keys()
    if fault == NO_ID_TOKEN:
        return None
    issued_at = round(now, 6)
    if fault == EXPIRED:
        issued_at = round(now - 2 * ID_TOKEN_LIFETIME, 6)
    claims: dict[str, object] = {
        "iss": FOREIGN_ISSUER if fault == WRONG_ISSUER else issuer,
        "jti": str(uuid.uuid4()),
        "sub": identity.sub,
        "aud": FOREIGN_AUDIENCE if fault == WRONG_AUDIENCE else audience,
        "iat": issued_at,
        "exp": issued_at + ID_TOKEN_LIFETIME,
    }
    if fault == MISSING_SUB:
        del claims["sub"]
    if "profile" in consented_scopes:
        claims["firstname"] = identity.first_name
        claims["lastname"] = identity.last_name
    if "email" in consented_scopes:
        claims["email"] = identity.email
    if fault == ALG_NONE:
        return _unsigned(claims)
    if fault == HS256_PUBLIC_KEY:
        return _hmac_signed(claims, keys.certificate_pem.encode())
    signer = _other_keys() if fault == OTHER_KEY else keys
    token = jwt.encode(claims, signer.private_key, algorithm="RS256")
    return _altered_signature(token) if fault == FORGED_SIGNATURE else token


def _segment(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unsigned(claims: dict[str, object]) -> str:
    return f"{_segment({'typ': 'JWT', 'alg': 'none'})}.{_segment(claims)}."


def _hmac_signed(claims: dict[str, object], secret: bytes) -> str:
    # By hand: PyJWT refuses a PEM as an HMAC secret, precisely to prevent this confusion.
    signing_input = f"{_segment({'typ': 'JWT', 'alg': 'HS256'})}.{_segment(claims)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _altered_signature(token: str) -> str:
    """The same token with its signature's first character changed (the last may only hold padding bits)."""
    head, payload, signature = token.split(".")
    first = "B" if signature[0] != "B" else "C"
    return f"{head}.{payload}.{first}{signature[1:]}"
