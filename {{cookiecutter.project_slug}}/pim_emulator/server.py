"""Serve any WSGI app from a background thread on a free port: for tests, and for running the App
and the emulator side by side in one process."""

import threading
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ServerThread:
    """A threaded werkzeug server in a daemon thread.

    The socket is bound at construction, so `.url` is known before `start()`; `wsgi_app` may be
    replaced until then (handy when the app's config needs its own URL).
    """

    def __init__(
        self,
        wsgi_app: WsgiApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        request_handler: type[WSGIRequestHandler] = _QuietHandler,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.host = host
        self._server: BaseWSGIServer = make_server(
            host, port, self._dispatch, threaded=True, request_handler=request_handler
        )
        self.port: int = self._server.server_port
        self._thread: threading.Thread | None = None
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host  # noqa: S104
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def idle(self) -> bool:
        """No request is being answered (a stopped server's request threads can outlive it)."""
        with self._in_flight_lock:
            return self._in_flight == 0

    def _dispatch(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._in_flight_lock:
            self._in_flight += 1
        try:
            return self.wsgi_app(environ, start_response)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def start(self) -> "ServerThread":
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.01},  # how long stop() may wait
                name=f"wsgi-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "ServerThread":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
