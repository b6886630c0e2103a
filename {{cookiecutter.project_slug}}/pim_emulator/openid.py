"""OpenID Connect: the PIM's signing keys, its public-key certificate and id_tokens."""

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


_keys: SigningKeys | None = None
_keys_lock = threading.Lock()


def signing_keys() -> SigningKeys:
    """The process-wide key pair, generated on first use (RSA generation takes a moment)."""
    global _keys  # one key pair per process, like one PIM instance
    with _keys_lock:
        if _keys is None:
            _keys = _generate_keys()
        return _keys


def _generate_keys() -> SigningKeys:
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
) -> str:
    """An RS256 id_token shaped like the PIM's: float iat/exp, string aud, no `kid` header."""
    issued_at = round(now, 6)
    claims: dict[str, object] = {
        "iss": issuer,
        "jti": str(uuid.uuid4()),
        "sub": identity.sub,
        "aud": audience,
        "iat": issued_at,
        "exp": issued_at + ID_TOKEN_LIFETIME,
    }
    if "profile" in consented_scopes:
        claims["firstname"] = identity.first_name
        claims["lastname"] = identity.last_name
    if "email" in consented_scopes:
        claims["email"] = identity.email
    return jwt.encode(claims, signing_keys().private_key, algorithm="RS256")
