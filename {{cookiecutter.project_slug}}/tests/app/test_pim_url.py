"""The pim_url rules: what the App accepts from the PIM's activation redirect, and how it normalises it."""

import pytest

from {{ cookiecutter.package_name }}.pim_url import InvalidPimUrl, normalize_pim_url

ALLOWED = ("*.cloud.akeneo.com", "localhost", "127.0.0.1")


def test_a_saas_pim_url_is_accepted_as_is():
    assert normalize_pim_url("https://acme.cloud.akeneo.com", ALLOWED) == "https://acme.cloud.akeneo.com"


def test_trailing_slashes_are_stripped():
    assert normalize_pim_url("https://acme.cloud.akeneo.com///", ALLOWED) == "https://acme.cloud.akeneo.com"


def test_a_path_prefix_is_kept():
    assert normalize_pim_url("http://localhost:8081/pim/", ALLOWED) == "http://localhost:8081/pim"


def test_scheme_and_host_are_lowercased():
    assert normalize_pim_url("HTTPS://ACME.Cloud.Akeneo.com", ALLOWED) == "https://acme.cloud.akeneo.com"


def test_a_port_is_kept():
    assert normalize_pim_url("http://127.0.0.1:8081", ALLOWED) == "http://127.0.0.1:8081"


@pytest.mark.parametrize("missing", [None, "", "   "])
def test_a_missing_pim_url_is_refused(missing):
    with pytest.raises(InvalidPimUrl, match="missing"):
        normalize_pim_url(missing, ALLOWED)


@pytest.mark.parametrize(
    "url", ["ftp://acme.cloud.akeneo.com", "javascript:alert(1)", "acme.cloud.akeneo.com"]
)
def test_only_http_and_https_are_accepted(url):
    with pytest.raises(InvalidPimUrl, match="http"):
        normalize_pim_url(url, ALLOWED)


def test_credentials_in_the_url_are_refused():
    with pytest.raises(InvalidPimUrl, match="user name or password"):
        normalize_pim_url("https://admin:pw@acme.cloud.akeneo.com", ALLOWED)


def test_a_query_string_is_refused():
    with pytest.raises(InvalidPimUrl, match="query"):
        normalize_pim_url("https://acme.cloud.akeneo.com/?next=https://evil.example", ALLOWED)


@pytest.mark.parametrize("url", ["https://acme.cloud.akeneo.com#x", "https://acme.cloud.akeneo.com#"])
def test_a_fragment_is_refused(url):
    with pytest.raises(InvalidPimUrl, match="fragment"):
        normalize_pim_url(url, ALLOWED)


def test_a_host_outside_the_allowlist_is_refused_and_named():
    with pytest.raises(InvalidPimUrl, match=r"evil\.example\.com is not allowed.*ALLOWED_PIM_HOSTS"):
        normalize_pim_url("https://evil.example.com", ALLOWED)


def test_a_lookalike_suffix_does_not_match_the_saas_pattern():
    with pytest.raises(InvalidPimUrl, match="not allowed"):
        normalize_pim_url("https://acme.cloud.akeneo.com.evil.example", ALLOWED)


def test_the_allowlist_is_case_insensitive():
    assert normalize_pim_url("https://pim.example.com", ("PIM.Example.COM",)) == "https://pim.example.com"


@pytest.mark.parametrize("url", ["https://acme.cloud.akeneo.com/a b", "https://acme.cloud.akeneo.com/\n"])
def test_whitespace_and_control_characters_are_refused(url):
    with pytest.raises(InvalidPimUrl, match="spaces, control"):
        normalize_pim_url(url, ALLOWED)


def test_an_invalid_port_is_refused():
    with pytest.raises(InvalidPimUrl, match="not a valid URL"):
        normalize_pim_url("http://localhost:99999", ALLOWED)


def test_an_overlong_url_is_refused():
    with pytest.raises(InvalidPimUrl, match="longer than"):
        normalize_pim_url("https://acme.cloud.akeneo.com/" + "a" * 3000, ALLOWED)


def test_an_ipv6_host_keeps_its_brackets():
    assert normalize_pim_url("http://[::1]:8081/", ("::1",)) == "http://[::1]:8081"


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("https://acme.cloud.akeneo.com:443", "https://acme.cloud.akeneo.com"),
        ("http://localhost:80", "http://localhost"),
    ],
)
def test_the_default_port_is_left_out(url, normal):
    assert normalize_pim_url(url, ALLOWED) == normal


@pytest.mark.parametrize("path", ["/..", "/a/../b", "/.", "/%2e%2e", "/%2E."])
def test_dot_segments_are_refused(path):
    with pytest.raises(InvalidPimUrl, match="segments"):
        normalize_pim_url(f"https://acme.cloud.akeneo.com{path}", ALLOWED)


def test_an_overlong_pim_url_is_refused():
    with pytest.raises(InvalidPimUrl, match="longer than"):
        normalize_pim_url("https://acme.cloud.akeneo.com/" + "p" * 600, ALLOWED)
