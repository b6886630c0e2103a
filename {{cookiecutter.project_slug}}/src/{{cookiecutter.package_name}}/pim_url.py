"""Rules for the `pim_url` the PIM sends to the activation URL.

It arrives unauthenticated, and the App will send its client ID to it and post codes to it, so it is checked
before anything else: an attacker must not be able to point the App at a host of their choosing. The URL the
App uses afterwards is rebuilt from the checked parts, never the raw string: browsers and urllib3 read a `\\`
as the start of the path, so `https://evil.com\\.cloud.akeneo.com` would otherwise reach evil.com.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import idna

MAX_LENGTH = 512  # a PIM's base URL is a host and, at most, a short path
MAX_HOST_LENGTH = 253
# A DNS label as resolvers and browsers accept it, after IDNA: letters, digits and hyphens, 1 to 63 of them.
DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
# Unreserved characters and percent-escapes only: anything else in a path is not worth the risk.
PATH = re.compile(r"(?:/(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*)*")


DOT_SEGMENTS = {".", "..", "%2e", "%2e%2e", ".%2e", "%2e."}
DEFAULT_PORTS = {"http": 80, "https": 443}


class InvalidPimUrl(ValueError):
    """The pim_url is unusable; the message says why, in words for the person who clicked Connect."""


def normalize_pim_url(raw: str | None, allowed_hosts: Iterable[str]) -> str:
    """The PIM base URL as `scheme://host[:port][/path]`, without trailing slash, or InvalidPimUrl."""
    if raw is None or not raw.strip():
        raise InvalidPimUrl(
            "The pim_url parameter is missing. Open the App from your PIM (Connect or Open app)."
        )
    if len(raw) > MAX_LENGTH:
        raise InvalidPimUrl(f"The pim_url is longer than {MAX_LENGTH} characters.")
    if any(ch.isspace() or not ch.isprintable() for ch in raw):
        raise InvalidPimUrl("The pim_url contains spaces, control or invisible characters.")
    if "\\" in raw:
        raise InvalidPimUrl("The pim_url contains a backslash.")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise InvalidPimUrl(f"The pim_url is not a valid URL ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidPimUrl("The pim_url must start with http:// or https://.")
    if "@" in parts.netloc:
        raise InvalidPimUrl("The pim_url must not contain a user name or password.")
    if parts.query or "?" in raw:
        raise InvalidPimUrl("The pim_url must not contain a query string.")
    if parts.fragment or "#" in raw:
        raise InvalidPimUrl("The pim_url must not contain a fragment (#…).")
    if port == 0:
        raise InvalidPimUrl("The pim_url has port 0.")
    host = canonical_host(parts.hostname or "")
    if not host_is_allowed(host, allowed_hosts):
        raise InvalidPimUrl(
            f"The PIM host {host} is not allowed. "
            "Add it to ALLOWED_PIM_HOSTS if this App should connect to it."
        )
    path = parts.path.rstrip("/")
    if not PATH.fullmatch(path) or any(segment in DOT_SEGMENTS for segment in path.lower().split("/")):
        raise InvalidPimUrl("The pim_url's path holds characters or segments a PIM address does not have.")
    netloc = f"[{host}]" if ":" in host else host
    # One PIM, one address: the default port is left out, as the PIM itself writes it.
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}{path}"


def canonical_host(hostname: str) -> str:
    """The host in the form it is matched and connected to: an IP address, or an ASCII DNS name."""
    hostname = hostname[:-1] if hostname.endswith(".") else hostname  # the root label, written or not
    if not hostname:
        raise InvalidPimUrl("The pim_url has no host name.")
    try:
        return ipaddress.ip_address(hostname).compressed
    except ValueError:
        pass
    try:
        # UTS 46 maps what browsers map (fullwidth letters, case); a mapped character that is not allowed in
        # a DNS name then fails the label check below.
        ascii_host = idna.encode(hostname, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as error:
        raise InvalidPimUrl(f"The PIM host is not a valid domain name ({error}).") from None
    labels = ascii_host.split(".")
    if len(ascii_host) > MAX_HOST_LENGTH or not all(DNS_LABEL.fullmatch(label) for label in labels):
        raise InvalidPimUrl(
            "The PIM host is not a valid domain name: each part between dots must be 1 to 63 letters, "
            f"digits or hyphens, and the whole at most {MAX_HOST_LENGTH} characters."
        )
    return ascii_host


def host_is_allowed(host: str, patterns: Iterable[str]) -> bool:
    """Whether a canonical host matches a pattern: exact, or with `*` standing for exactly one whole label.

    `*.cloud.akeneo.com` allows `acme.cloud.akeneo.com` but neither `cloud.akeneo.com` nor
    `a.b.cloud.akeneo.com`; write `*.*.cloud.akeneo.com` for the latter.
    """
    host_labels = host.lower().split(".")
    for pattern in patterns:
        pattern_labels = pattern.strip().lower().rstrip(".").split(".")
        if len(pattern_labels) == len(host_labels) and all(
            wanted in ("*", label) for wanted, label in zip(pattern_labels, host_labels, strict=True)
        ):
            return True
    return False


def is_host_pattern(pattern: str) -> bool:
    """An ALLOWED_PIM_HOSTS entry: an IP address, or dot-separated DNS labels and lone `*` labels."""
    try:
        ipaddress.ip_address(pattern)
    except ValueError:
        labels = pattern.split(".")
        return len(pattern) <= MAX_HOST_LENGTH and all(
            label == "*" or DNS_LABEL.fullmatch(label) for label in labels
        )
    return True


def exact_hosts(patterns: Iterable[str]) -> frozenset[str]:
    """The patterns without a wildcard, in canonical form: the only hosts allowed to resolve to loopback,
    link-local or metadata addresses."""
    hosts = set()
    for pattern in patterns:
        if "*" not in pattern:
            try:
                hosts.add(canonical_host(pattern.strip().lower()))
            except InvalidPimUrl:
                continue
    return frozenset(hosts)
