"""The App never connects to loopback, link-local or metadata addresses unless the host is listed exactly."""

import ipaddress
from urllib.parse import parse_qs, urlsplit

import pytest

from {{ cookiecutter.package_name }}.pim_api import PimApiClient, PimUnavailable
from {{ cookiecutter.package_name }}.pim_http import build_pim_session, is_special_address

from tests.support.hostile_pim import hostile_pim
from tests.support.stack import running_stack


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "127.8.9.10", "::1", "169.254.169.254", "0.0.0.0", "::ffff:127.0.0.1", "fd00:ec2::254"],  # noqa: S104
)
def test_loopback_link_local_and_metadata_addresses_are_special(address):
    assert is_special_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["10.0.0.8", "192.168.1.20", "52.16.1.1", "2a05:d018::1"])
def test_ordinary_and_private_network_addresses_are_not(address):
    # An on-premises PIM may well live on a private network.
    assert not is_special_address(ipaddress.ip_address(address))


def localhost_url(url):
    return url.replace("127.0.0.1", "localhost")


def test_a_host_allowed_by_a_wildcard_only_cannot_reach_loopback(tmp_path):
    # "*" allows the one-label name "localhost", but only an exact entry may resolve to a loopback address.
    with running_stack(tmp_path, allowed_pim_hosts=("*",)) as stack:
        browser = stack.browser()
        page = browser.get(stack.activate_url(), params={"pim_url": localhost_url(stack.pim_url)}, timeout=60)
        assert page.status_code == 502
        assert "will not connect to this address" in page.text
        assert stack.pim_state()["token_requests"] == 0


def test_an_exactly_listed_host_may_be_loopback(tmp_path):
    with running_stack(tmp_path, allowed_pim_hosts=("localhost",)) as stack:
        pim_url = localhost_url(stack.pim_url)
        page = stack.browser().get(stack.activate_url(), params={"pim_url": pim_url}, timeout=60)
        assert page.status_code == 200
        assert stack.store.get(pim_url).is_connected


def test_api_calls_obey_the_same_rule(stack):
    session = build_pim_session(frozenset({"pim.example.com"}))
    client = PimApiClient(session, stack.pim_url, "T" * 86, 10.0)
    with pytest.raises(PimUnavailable, match="loopback, link-local or metadata"):
        client.first_products()


def test_a_refused_host_is_refused_before_any_connection(tmp_path, unused_port):
    # Refused the same way whether the port is open or closed: no timing tells a visitor which ports listen.
    with running_stack(tmp_path, allowed_pim_hosts=("*",)) as stack:
        browser = stack.browser()
        to_pim = browser.get(
            stack.activate_url(), params={"pim_url": f"http://localhost:{unused_port}"}, allow_redirects=False
        )
        state = parse_qs(urlsplit(to_pim.headers["Location"]).query)["state"][0]
        page = browser.get(f"{stack.app_url}/callback", params={"code": "c" * 86, "state": state})
        assert page.status_code == 502
        assert "will not connect to this address" in page.text


def test_proxy_variables_are_ignored(stack, monkeypatch):
    # A proxy would connect for the App, past the address check and the deadline.
    with hostile_pim(stack.app_url) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)
        session = build_pim_session(frozenset({"pim.example.com"}))
        with pytest.raises(PimUnavailable, match="loopback, link-local or metadata"):
            PimApiClient(session, "http://169.254.169.254", "T" * 86, 10.0).first_products()
        assert sum(proxy.hits.values()) == 0


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::7f00:1", "2002:7f00:1::1", "64:ff9b::a9fe:a9fe"],
    ids=["nat64", "6to4", "nat64-metadata"],
)
def test_ipv6_forms_of_special_ipv4_addresses_are_special(address):
    assert is_special_address(ipaddress.ip_address(address))
