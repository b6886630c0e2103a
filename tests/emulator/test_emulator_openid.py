"""OpenID Connect: the public-key certificate and id_tokens shaped like the PIM's."""

import base64
import hashlib
import hmac
import uuid

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from emulator_support import CLIENT_ID


def certificate_of(emulator):
    response = requests.get(f"{emulator.url}/connect/apps/v1/openid/public-key", timeout=10)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"public_key"}
    return x509.load_pem_x509_certificate(body["public_key"].encode())


def verified_claims(emulator, id_token):
    key = certificate_of(emulator).public_key()
    return jwt.decode(id_token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=emulator.url)


def test_public_key_is_a_self_signed_akeneo_rsa_2048_certificate(emulator):
    certificate = certificate_of(emulator)

    organization = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    assert organization[0].value == "Akeneo"
    assert certificate.issuer == certificate.subject
    assert isinstance(certificate.public_key(), rsa.RSAPublicKey)
    assert certificate.public_key().key_size == 2048
    assert certificate.not_valid_after_utc.year == 9999


def test_public_key_is_stable_within_a_process(emulator, make_emulator):
    other = make_emulator()

    assert certificate_of(emulator) == certificate_of(other)


def test_no_id_token_without_openid(emulator):
    assert "id_token" not in emulator.connect("read_products")


def test_id_token_is_signed_with_the_published_key_and_names_issuer_and_audience(emulator):
    body = emulator.connect("openid read_products")

    claims = verified_claims(emulator, body["id_token"])

    assert claims["iss"] == emulator.url
    assert claims["aud"] == CLIENT_ID


def test_id_token_header_is_rs256_without_kid(emulator):
    body = emulator.connect("openid read_products")

    assert jwt.get_unverified_header(body["id_token"]) == {"alg": "RS256", "typ": "JWT"}


def test_id_token_claims_have_the_pim_shape(emulator):
    body = emulator.connect("openid read_products")

    claims = jwt.decode(body["id_token"], options={"verify_signature": False})

    assert set(claims) == {"iss", "jti", "sub", "aud", "iat", "exp"}
    assert isinstance(claims["aud"], str)
    assert uuid.UUID(claims["jti"]).version == 4
    assert uuid.UUID(claims["sub"]).version == 4
    assert isinstance(claims["iat"], float)
    assert isinstance(claims["exp"], float)
    assert claims["iat"] == pytest.approx(emulator.clock(), abs=1e-6)
    assert claims["exp"] == pytest.approx(claims["iat"] + 3600)


def test_token_scope_merges_the_consented_authentication_scopes_sorted(emulator):
    body = emulator.connect("write_products openid profile email read_products")

    assert body["scope"] == "email openid profile read_products write_products"


def test_profile_adds_first_and_last_name(emulator):
    claims = verified_claims(emulator, emulator.connect("openid profile")["id_token"])

    assert (claims["firstname"], claims["lastname"]) == ("Julia", "Stark")
    assert "email" not in claims


def test_email_adds_the_email(emulator):
    claims = verified_claims(emulator, emulator.connect("openid email")["id_token"])

    assert claims["email"] == "julia@example.com"
    assert "firstname" not in claims


def test_user_details_come_from_the_config(make_emulator):
    emulator = make_emulator(user_first_name="Ada", user_last_name="Lovelace", user_email="ada@x.test")

    claims = verified_claims(emulator, emulator.connect("openid profile email")["id_token"])

    assert (claims["firstname"], claims["lastname"], claims["email"]) == ("Ada", "Lovelace", "ada@x.test")


def test_profile_without_openid_gives_no_id_token(emulator):
    body = emulator.connect("profile email read_products")

    assert "id_token" not in body
    assert body["scope"] == "read_products"


def test_every_redemption_gets_a_fresh_id_token_with_a_stable_sub(emulator):
    first = jwt.decode(emulator.connect("openid")["id_token"], options={"verify_signature": False})
    emulator.clock.advance(5)
    second = jwt.decode(emulator.connect("openid")["id_token"], options={"verify_signature": False})

    assert second["jti"] != first["jti"]
    assert second["iat"] == pytest.approx(first["iat"] + 5)
    assert second["sub"] == first["sub"]


def test_sub_survives_new_consents(emulator):
    first = jwt.decode(emulator.connect("openid")["id_token"], options={"verify_signature": False})
    later = emulator.connect("openid profile read_products")

    assert jwt.decode(later["id_token"], options={"verify_signature": False})["sub"] == first["sub"]


def test_sub_changes_after_a_disconnect(emulator):
    first = jwt.decode(emulator.connect("openid")["id_token"], options={"verify_signature": False})
    emulator.control("disconnect")

    again = jwt.decode(emulator.connect("openid")["id_token"], options={"verify_signature": False})

    assert again["sub"] != first["sub"]


# --- broken id_tokens, on demand --------------------------------------------------------------


def id_token_with(emulator, fault):
    response = emulator.control("faults", {"id_token": fault})
    assert response.status_code == 200, response.text
    return emulator.connect("openid profile read_products").get("id_token")


def test_a_forged_signature_fails_with_the_published_key_only(emulator):
    token = id_token_with(emulator, "forged_signature")

    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(emulator, token)
    assert jwt.decode(token, options={"verify_signature": False})["iss"] == emulator.url


def test_another_key_signs_a_token_the_published_key_refuses(emulator):
    token = id_token_with(emulator, "other_key")

    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(emulator, token)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("wrong_issuer", jwt.InvalidIssuerError),
        ("wrong_audience", jwt.InvalidAudienceError),
        ("expired", jwt.ExpiredSignatureError),
    ],
)
def test_a_broken_claim_fails_its_own_check_only(emulator, fault, error):
    token = id_token_with(emulator, fault)

    with pytest.raises(error):
        verified_claims(emulator, token)


def test_alg_none_carries_no_signature(emulator):
    token = id_token_with(emulator, "alg_none")

    assert jwt.get_unverified_header(token)["alg"] == "none"
    assert token.endswith(".")


def test_hs256_is_keyed_with_the_published_certificate(emulator):
    token = id_token_with(emulator, "hs256_public_key")
    pem = certificate_of(emulator).public_bytes(serialization.Encoding.PEM)
    head, payload, signature = token.split(".")
    expected = hmac.new(pem, f"{head}.{payload}".encode(), hashlib.sha256).digest()

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)) == expected


def test_missing_sub_leaves_the_claim_out(emulator):
    token = id_token_with(emulator, "missing_sub")

    assert "sub" not in jwt.decode(token, options={"verify_signature": False})


def test_missing_sends_no_id_token(emulator):
    assert id_token_with(emulator, "missing") is None


def test_an_unknown_id_token_fault_is_refused(emulator):
    response = emulator.control("faults", {"id_token": "garbled"})

    assert response.status_code == 400
    assert "forged_signature" in response.json()["error"]


def test_clearing_the_fault_gives_valid_tokens_again(emulator):
    id_token_with(emulator, "other_key")
    emulator.control("faults", {"id_token": None})

    assert verified_claims(emulator, emulator.connect("openid")["id_token"])["aud"] == CLIENT_ID


# --- key rotation ------------------------------------------------------------------------------


def test_rotating_the_key_publishes_a_new_certificate_and_signs_with_it(emulator):
    before = certificate_of(emulator)
    old_token = emulator.connect("openid")["id_token"]

    assert emulator.control("rotate-key").status_code == 200

    assert certificate_of(emulator) != before
    assert verified_claims(emulator, emulator.connect("openid")["id_token"])["aud"] == CLIENT_ID
    with pytest.raises(jwt.InvalidSignatureError):
        verified_claims(emulator, old_token)


def test_rotating_one_emulators_key_leaves_another_alone(emulator, make_emulator):
    other = make_emulator()
    before = certificate_of(other)

    emulator.control("rotate-key")

    assert certificate_of(other) == before


def test_the_public_key_requests_are_counted(emulator):
    certificate_of(emulator)
    certificate_of(emulator)

    assert emulator.state()["public_key_requests"] == 2
