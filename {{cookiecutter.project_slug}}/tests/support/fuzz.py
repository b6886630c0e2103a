"""Random requests to /activate and /callback, sent as raw bytes so malformed ones reach the server too.

Every input is a complete request (it ends with an empty line), so a server owes each one an answer: a
connection closed without one is counted as dropped, an answer of 500 or more as a server error.
"""

from __future__ import annotations

import random
import re
import socket
import string
from collections import Counter
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from urllib.parse import quote

from {{ cookiecutter.package_name }}.web.session_cookie import COOKIE_NAME

HOSTS = [
    "acme.cloud.akeneo.com",
    "ACME.Cloud.Akeneo.COM",
    "evil.com\\.cloud.akeneo.com",
    "evil.com\uff3c.cloud.akeneo.com",
    "a..cloud.akeneo.com",
    ".cloud.akeneo.com",
    "a" * 64 + ".cloud.akeneo.com",
    "\u200b.cloud.akeneo.com",
    "xn--bcher-kva.cloud.akeneo.com",
    "b\u00fccher.cloud.akeneo.com",
    "127.0.0.1",
    "[::1]",
    "169.254.169.254",
    "localhost",
    "user:pw@acme.cloud.akeneo.com",
    "acme.cloud.akeneo.com:0",
    "acme.cloud.akeneo.com:99999",
    "acme.cloud.akeneo.com:-1",
    "",
]
SCHEMES = ["https://", "http://", "HTTPS://", "ftp://", "javascript:", "//", "https:/", ""]
TAILS = ["", "/", "/pim", "/%2e%2e/", "?x=1", "#frag", "/a b", "/\x00", "\\", "/" + "p" * 3000]
METHODS = ["GET", "GET", "GET", "POST", "HEAD", "PUT", "G\x00T", "GE T", "\u00e9\u00e9"]
VERSIONS = ["HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x", "", "HTTP/9"]
PATHS = [
    "/activate",
    "/callback",
    "/",
    "/health",
    "/forget",
    "/sign-out",
    "//activate",
    "/activate/../callback",
]


def _random_text(rng: random.Random, size: int) -> str:
    alphabet = string.printable + "\u00e9\u200b\uff3c\u202e\U0001f600"
    return "".join(rng.choice(alphabet) for _ in range(size))


def _pim_url(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return _random_text(rng, rng.randint(0, 80))
    return rng.choice(SCHEMES) + rng.choice(HOSTS) + rng.choice(TAILS)


def _query(rng: random.Random, path: str) -> str:
    pairs: list[tuple[str, str]] = []
    if path.startswith("/activate") or rng.random() < 0.2:
        pairs += [("pim_url", _pim_url(rng)) for _ in range(rng.choice([0, 1, 1, 1, 2]))]
    if path.startswith("/callback") or rng.random() < 0.2:
        pairs += [("state", _random_text(rng, rng.choice([0, 10, 43, 600])))]
        pairs += [("code", _random_text(rng, rng.choice([0, 86, 2000])))]
        if rng.random() < 0.2:
            pairs += [("error", _random_text(rng, 30)), ("error_description", _random_text(rng, 300))]
    encoded = "&".join(
        f"{quote(key, safe='')}={quote(value, safe='') if rng.random() < 0.85 else value}"
        for key, value in pairs
    )
    return f"?{encoded}" if encoded else ""


def _request_line(rng: random.Random) -> str:
    path = rng.choice(PATHS)
    target = path + _query(rng, path)
    roll = rng.random()
    if roll < 0.08:
        return f"{rng.choice(METHODS)} {target}"  # no version: HTTP/0.9 or garbage
    if roll < 0.14:
        return f"{rng.choice(METHODS)}  {target}  {rng.choice(VERSIONS)} extra"
    if roll < 0.18:
        return _random_text(rng, rng.randint(1, 200)).replace("\r", "").replace("\n", "") or "X"
    return f"{rng.choice(METHODS)} {target} {rng.choice(VERSIONS) or 'HTTP/1.1'}"


def _headers(rng: random.Random) -> str:
    lines = ["Host: 127.0.0.1", "Connection: close"]
    if rng.random() < 0.15:
        lines.append(f"Cookie: {COOKIE_NAME}={_random_text(rng, rng.randint(0, 300))}")
    if rng.random() < 0.05:
        lines.append("Content-Length: -1")
    if rng.random() < 0.05:
        lines.append("Bad Header Without Colon")
    return "".join(f"{line}\r\n" for line in lines)


def fuzz_inputs(seed: int, count: int) -> Iterator[bytes]:
    rng = random.Random(seed)  # noqa: S311 - reproducible inputs, not secrets
    for _ in range(count):
        line = _request_line(rng)
        if not line.strip():
            line = "X"  # an empty line before a request is legitimately skipped, not answered
        encoding = "utf-8" if rng.random() < 0.7 else "latin-1"
        yield f"{line}\r\n{_headers(rng)}\r\n".encode(encoding, errors="replace")


@dataclass
class FuzzReport:
    sent: int = 0
    dropped: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    examples: dict[str, bytes] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status.startswith("5"))

    def summary(self, name: str) -> str:
        common = ", ".join(f"{status}: {count}" for status, count in sorted(self.statuses.items()))
        return (
            f"fuzz {name}: {self.sent} inputs, {self.server_errors} answers of 500 or more, "
            f"{self.dropped} dropped connections ({common})"
        )


STATUS_LINE = re.compile(rb"HTTP/\d\.\d (\d{3})")
# An HTTP/0.9 answer has no status line: the App's pages and http.server's error page both state it.
PAGE_STATUS = re.compile(rb'data-status="(\d{3})"|Error code: (\d{3})')


def send_all(host: str, port: int, inputs: Iterator[bytes], timeout: float = 120.0) -> FuzzReport:
    """Send each input on a connection of its own and read the whole answer."""
    report = FuzzReport()
    for raw in inputs:
        report.sent += 1
        answer = _exchange(host, port, raw, timeout)
        if not answer:
            report.dropped += 1
            report.examples.setdefault("dropped", raw)
            continue
        match = STATUS_LINE.match(answer)
        if match is None:
            page = PAGE_STATUS.search(answer)
            status = (page.group(1) or page.group(2)).decode() if page else "0.9"
        else:
            status = match.group(1).decode()
        report.statuses[status] += 1
        report.examples.setdefault(status, raw)
    return report


def _exchange(host: str, port: int, raw: bytes, timeout: float) -> bytes:
    with socket.create_connection((host, port), timeout=timeout) as connection:
        # The server may answer and close before reading everything. No half-close after it: some servers
        # take that for a client gone and answer nothing.
        with suppress(OSError):
            connection.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)
