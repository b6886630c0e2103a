"""The development server: uvicorn, with access logs without query strings (/callback carries the
single-use code and the state in its query)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from ..log_redaction import QueryStringFilter


def quiet_query_strings() -> None:
    """uvicorn logs each request with its query string: keep the path only."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).addFilter(QueryStringFilter())


class AppServer:
    """The App on uvicorn in a background thread, for tests and tools.

    The socket is bound at construction, so `url` is known before the App is built (its settings need it).
    """

    def __init__(self, app: FastAPI | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        quiet_query_strings()
        config = uvicorn.Config(self._dispatch, interface="asgi3", log_config=None, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"starting"})
            return
        await self.app(scope, receive, send)

    def __enter__(self) -> AppServer:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            time.sleep(0.01)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()


def run(app_path: str, host: str, port: int) -> None:
    """Serve until Ctrl-C, in the foreground."""
    quiet_query_strings()
    uvicorn.run(app_path, host=host, port=port, log_level="info")
