"""Rules for the `pim_url` the PIM sends to the activation URL.

It arrives unauthenticated, and the App will send its client ID to it and post codes to it, so it is checked
before anything else: an attacker must not be able to point the App at a host of their choosing.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from urllib.parse import urlsplit

MAX_LENGTH = 2048


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
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in raw):
        raise InvalidPimUrl("The pim_url contains spaces or control characters.")
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError as error:
        raise InvalidPimUrl(f"The pim_url is not a valid URL ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidPimUrl("The pim_url must start with http:// or https://.")
    if parts.username is not None or parts.password is not None:
        raise InvalidPimUrl("The pim_url must not contain a user name or password.")
    if parts.query:
        raise InvalidPimUrl("The pim_url must not contain a query string.")
    if parts.fragment or raw.endswith("#"):
        raise InvalidPimUrl("The pim_url must not contain a fragment (#…).")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise InvalidPimUrl("The pim_url has no host name.")
    if not host_is_allowed(host, allowed_hosts):
        raise InvalidPimUrl(
            f"The PIM host {host} is not allowed. "
            "Add it to ALLOWED_PIM_HOSTS if this App should connect to it."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}{parts.path.rstrip('/')}"


def host_is_allowed(host: str, patterns: Iterable[str]) -> bool:
    """Glob match, case-insensitive: `*.cloud.akeneo.com` allows every SaaS PIM."""
    host = host.lower()
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in patterns)
