"""A PIM that misbehaves on purpose: it runs the activation as a real one does, then answers as a test says.

The emulator plays a correct PIM; this one plays what a correct PIM never sends: trickled, huge, redirected
or malformed answers.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import werkzeug
from flask import Flask, Response, jsonify, redirect, request

from pim_emulator.server import ServerThread

GOOD_TOKEN = "T" * 86
Answer = Callable[[], Any]


class HostilePim:
    """Set `token_answer`, `products_answer`, `write_answer`, `public_key_answer` or `notice_answer`
    (scopes/update) to a function that returns a response; `hits` counts paths, `writes` the methods of the
    writes received."""

    def __init__(self, app_url: str) -> None:
        self.app_url = app_url
        self.url = ""
        self.hits: Counter[str] = Counter()
        self.cookies_received: list[str] = []
        self.token_answer: Answer = lambda: jsonify(
            access_token=GOOD_TOKEN, token_type="bearer", scope="read_products"
        )
        self.public_key_answer: Answer = lambda: (jsonify(code=404, message="No route found"), 404)
        self.notice_answer: Answer = lambda: (jsonify(code=404, message="No route found"), 404)
        self.products_answer: Answer = lambda: jsonify(
            _links={}, _embedded={"items": [{"uuid": "u-1", "identifier": "sku-1", "values": {}}]}
        )
        self.write_answer: Answer = lambda: Response(status=204)
        self.writes: list[str] = []

    def wsgi(self) -> Flask:
        app = Flask("hostile-pim")

        @app.before_request
        def count() -> None:
            self.hits[request.path] += 1
            if "Cookie" in request.headers:
                self.cookies_received.append(request.headers["Cookie"])

        @app.get("/connect/apps/v1/authorize")
        def authorize() -> werkzeug.Response:
            query = urlencode({"code": "C" * 86, "state": request.args.get("state", "")})
            return redirect(f"{self.app_url}/callback?{query}")

        @app.post("/connect/apps/v1/oauth2/token")
        def token() -> Any:
            return self.token_answer()

        @app.get("/connect/apps/v1/openid/public-key")
        def public_key() -> Any:
            return self.public_key_answer()

        @app.post("/connect/apps/v1/scopes/update")
        def scopes_update() -> Any:
            return self.notice_answer()

        @app.get("/api/rest/v1/products-uuid")
        def products() -> Any:
            return self.products_answer()

        @app.post("/api/rest/v1/products-uuid")
        @app.patch("/api/rest/v1/products-uuid/<product_uuid>")
        @app.delete("/api/rest/v1/products-uuid/<product_uuid>")
        def write(product_uuid: str = "") -> Any:
            self.writes.append(request.method)
            return self.write_answer()

        @app.get("/elsewhere")
        def elsewhere() -> Any:
            return jsonify(_links={}, _embedded={"items": [{"uuid": "not-from-the-pim"}]})

        return app


@contextmanager
def hostile_pim(app_url: str) -> Iterator[HostilePim]:
    pim = HostilePim(app_url)
    with ServerThread(pim.wsgi()) as server:
        pim.url = server.url
        yield pim


def trickle(first: bytes = b"{", every: float = 0.5) -> Response:
    """An answer that never ends: one byte every `every` seconds, for as long as the client listens."""

    def drip() -> Iterator[bytes]:
        yield first
        while True:
            time.sleep(every)
            yield b" "

    return Response(drip(), mimetype="application/json")


def endless(chunk: bytes = b" " * 65536, limit: int = 200 * 1024 * 1024) -> Response:
    """A JSON answer far larger than any real page, streamed (bounded so a broken test still ends)."""

    def chunks() -> Iterator[bytes]:
        yield b'{"padding": "'
        sent = 0
        while sent < limit:
            yield chunk
            sent += len(chunk)
        yield b'"}'

    return Response(chunks(), mimetype="application/json")
