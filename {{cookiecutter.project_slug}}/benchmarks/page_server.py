"""A PIM that only serves pre-rendered pages of products-uuid, for walk_products.py.

Every page body is rendered once at start (products from the emulator's demo catalog, in Akeneo's layout:
`_links` first, each item with its own `_links.self`), so answering a request is a dictionary look-up and one
`sendall`: what the benchmark measures is the client, not the server. It also counts the connections the
client opens, and can add latency or answer 429 with Retry-After on every Nth request.

    python benchmarks/page_server.py --sizes 20000,100000   # prints its URL, then serves until killed

Paths: `/{size}/api/rest/v1/products-uuid?...` walks a catalog of `size` products; `GET /_bench/config?
latency_ms=20&rate_limit_every=50` sets the faults; `GET /_bench/stats` answers the counters and resets them.
"""

from __future__ import annotations

import argparse
import json
import socket
import threading
import time
from dataclasses import asdict, dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from pim_emulator.catalog import Catalog

PAGE_SIZE = 100
RETRY_AFTER = 1  # seconds, as Akeneo sends it


@dataclass
class Counters:
    requests: int = 0
    rate_limited: int = 0
    connections: int = 0  # connections that made at least one API request
    open_connections: int = 0
    most_open_connections: int = 0


class PageServer:
    def __init__(self, sizes: list[int], host: str = "127.0.0.1") -> None:
        self.listener = socket.create_server((host, 0), backlog=64)
        self.url = f"http://{host}:{self.listener.getsockname()[1]}"
        self.latency = 0.0
        self.rate_limit_every = 0
        self.counters = Counters()
        self.lock = threading.Lock()
        self.pages: dict[tuple[int, str], bytes] = {}  # (size, search_after or "") -> the whole answer
        for size in sizes:
            self._render(size)

    def _render(self, size: int) -> None:
        catalog = Catalog(size)
        endpoint = f"{self.url}/{size}/api/rest/v1/products-uuid"

        def link(search_after: str | None) -> dict[str, str]:
            params = {"pagination_type": "search_after", "limit": str(PAGE_SIZE)}
            if search_after:
                params["search_after"] = search_after
            return {"href": f"{endpoint}?{urlencode(params)}"}

        cursor: str | None = None
        start = 0
        while True:
            items = []
            for index in range(start, min(start + PAGE_SIZE, size)):
                product = catalog.product(index)
                items.append({"_links": {"self": {"href": f"{endpoint}/{product['uuid']}"}}, **product})
            links = {"self": link(cursor), "first": link(None)}
            # As the PIM does: a next link on every full page, so a catalog of exactly N00 products ends
            # with an empty page.
            next_cursor = items[-1]["uuid"] if len(items) == PAGE_SIZE else None
            if next_cursor:
                links["next"] = link(next_cursor)
            body = json.dumps({"_links": links, "_embedded": {"items": items}}, separators=(",", ":"))
            self.pages[(size, cursor or "")] = _answer(200, body.encode())
            if next_cursor is None:
                return
            cursor = next_cursor
            start += PAGE_SIZE

    def serve_forever(self) -> None:
        while True:
            connection, _ = self.listener.accept()
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        counted = False
        reader = connection.makefile("rb")
        try:
            while True:
                request_line = reader.readline(65536)
                if not request_line:
                    return
                while reader.readline(65536) not in (b"\r\n", b"\n", b""):
                    pass  # the headers: nothing in them changes the answer
                target = request_line.split(b" ")[1].decode()
                if target.startswith("/_bench/"):
                    connection.sendall(self._control(target))
                    continue
                if not counted:
                    counted = True
                    with self.lock:
                        self.counters.connections += 1
                        self.counters.open_connections += 1
                        self.counters.most_open_connections = max(
                            self.counters.most_open_connections, self.counters.open_connections
                        )
                connection.sendall(self._page(target))
        except OSError:
            return
        finally:
            if counted:
                with self.lock:
                    self.counters.open_connections -= 1
            reader.close()
            connection.close()

    def _page(self, target: str) -> bytes:
        with self.lock:
            self.counters.requests += 1
            limited = self.rate_limit_every and self.counters.requests % self.rate_limit_every == 0
            if limited:
                self.counters.rate_limited += 1
        if self.latency:
            time.sleep(self.latency)
        if limited:
            body = b'{"code":429,"message":"You have exceeded the limit of API requests per second."}'
            return _answer(429, body, {"Retry-After": str(RETRY_AFTER)})
        parts = urlsplit(target)
        size = parts.path.split("/")[1]
        search_after = parse_qs(parts.query).get("search_after", [""])[0]
        page = self.pages.get((int(size), search_after)) if size.isdigit() else None
        if page is None:
            return _answer(404, b'{"code":404,"message":"Not found."}')
        return page

    def _control(self, target: str) -> bytes:
        parts = urlsplit(target)
        if parts.path == "/_bench/config":
            query = parse_qs(parts.query)
            self.latency = int(query.get("latency_ms", ["0"])[0]) / 1000
            self.rate_limit_every = int(query.get("rate_limit_every", ["0"])[0])
            return _answer(200, b"{}")
        with self.lock:
            stats = asdict(self.counters)
            open_now = self.counters.open_connections
            self.counters = Counters(open_connections=open_now, most_open_connections=open_now)
        return _answer(200, json.dumps(stats).encode())


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> bytes:
    reason = {200: "OK", 404: "Not Found", 429: "Too Many Requests"}[status]
    lines = [
        f"HTTP/1.1 {status} {reason}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="20000,100000", help="catalog sizes to render, comma-separated")
    args = parser.parse_args()
    server = PageServer([int(size) for size in args.sizes.split(",")])
    print(server.url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
