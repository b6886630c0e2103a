"""The authorize URL and the code challenge, as the PIM expects them."""

from urllib.parse import parse_qs, urlsplit

from {{ cookiecutter.package_name }}.oauth import authorize_url, code_challenge

PIM = "https://acme.cloud.akeneo.com"


def test_the_authorize_url_targets_the_pims_authorize_endpoint():
    url = authorize_url(PIM, "client", "read_products", "s")
    assert url.startswith("https://acme.cloud.akeneo.com/connect/apps/v1/authorize?")


def test_the_authorize_url_keeps_a_path_prefix_of_the_pim():
    url = authorize_url("http://localhost:8081/pim", "client", "read_products", "s")
    assert urlsplit(url).path == "/pim/connect/apps/v1/authorize"


def test_the_authorize_url_carries_the_four_parameters():
    query = parse_qs(urlsplit(authorize_url(PIM, "client-1", "read_products openid", "st")).query)
    assert query == {
        "response_type": ["code"],
        "client_id": ["client-1"],
        "scope": ["read_products openid"],
        "state": ["st"],
    }


def test_spaces_in_the_scope_are_percent_encoded():
    url = authorize_url(PIM, "client", "read_products write_products", "s")
    assert "scope=read_products%20write_products" in url
    assert " " not in url


def test_reserved_characters_in_the_state_are_encoded():
    url = authorize_url(PIM, "client", "read_products", "a&b=c/d")
    assert "state=a%26b%3Dc%2Fd" in url


def test_the_code_challenge_is_the_lowercase_sha256_of_identifier_then_secret():
    # sha256("abcdef"), a published test vector
    assert code_challenge("abc", "def") == "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721"
