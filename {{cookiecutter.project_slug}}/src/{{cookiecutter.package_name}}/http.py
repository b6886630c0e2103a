"""The HTTP session the App talks to PIMs with: timeouts, a User-Agent, bounded retries.

urllib3's Retry does the retrying (429/502/503/504, honouring Retry-After), but only for GET: the token
request carries a single-use code, so a retried POST could only fail with "Code is not valid".
"""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

USER_AGENT = f"{__package__}/0.1 (Akeneo App; python-requests)"
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
TIMEOUT = (CONNECT_TIMEOUT, READ_TIMEOUT)


class BoundedRetry(Retry):
    """Honours Retry-After, but never waits longer than `max_retry_after` seconds in one go."""

    max_retry_after: float = 10.0

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN201 - urllib3's signature
        retry_after = super().get_retry_after(response)
        return None if retry_after is None else min(retry_after, self.max_retry_after)


def build_http_session(retries: int = 3, backoff_factor: float = 0.5) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    retry = BoundedRetry(
        total=retries,
        connect=retries,
        read=0,  # a read timeout means the PIM is slow; retrying would only make the page slower
        status=retries,
        status_forcelist=(429, 502, 503, 504),
        allowed_methods=frozenset({"GET", "HEAD"}),
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,  # the caller turns the last answer into a clear error
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
