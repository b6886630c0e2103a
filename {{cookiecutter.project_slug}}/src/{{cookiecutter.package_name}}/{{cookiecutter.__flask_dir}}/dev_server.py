"""The development server: werkzeug's, with access logs without query strings (/callback carries the
single-use code and the state in its query) and an answer to every malformed request."""

from __future__ import annotations

import threading
from http import HTTPStatus
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from ..printable import printable


class PathOnlyRequestHandler(WSGIRequestHandler):
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # An HTTP version the server does not speak is the client's mistake: 400, as gunicorn answers it.
        if code == HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:
            code, message = HTTPStatus.BAD_REQUEST, message or "Unsupported HTTP version"
        super().send_error(code, message, explain)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A malformed request line is answered 400 before `path` and `command` exist: log it all the same,
        # or the exception drops the connection without an answer.
        path = printable(str(getattr(self, "path", "") or "").split("?", 1)[0], 200)
        command = getattr(self, "command", None) or "-"
        self.log("info", '"%s %s %s" %s %s', command, path, self.request_version, code, size)


class AppServer:
    """The App on the development server in a background thread, for tests and tools.

    The socket is bound at construction, so `url` is known before the App is built (its settings need it).
    """

    def __init__(self, app: Flask | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(
            host, port, self._dispatch, threaded=True, request_handler=PathOnlyRequestHandler
        )
        self.host = host
        self.port: int = self._server.server_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _dispatch(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"starting"]
        return self.app(environ, start_response)

    def __enter__(self) -> AppServer:
        # The poll interval is how long a stop waits: tests start and stop hundreds of these.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()


def run(app: Flask, host: str, port: int) -> None:
    """Serve until Ctrl-C, in the foreground."""
    app.run(host=host, port=port, request_handler=PathOnlyRequestHandler)
