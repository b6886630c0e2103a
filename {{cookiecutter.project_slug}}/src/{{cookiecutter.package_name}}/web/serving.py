"""The development server's request handler: access logs without query strings (/callback carries the
single-use code and the state in its query), and an answer to every malformed request."""

from __future__ import annotations

from http import HTTPStatus

from werkzeug.serving import WSGIRequestHandler


class PathOnlyRequestHandler(WSGIRequestHandler):
    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # An HTTP version the server does not speak is the client's mistake: 400, as gunicorn answers it.
        if code == HTTPStatus.HTTP_VERSION_NOT_SUPPORTED:
            code, message = HTTPStatus.BAD_REQUEST, message or "Unsupported HTTP version"
        super().send_error(code, message, explain)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A malformed request line is answered 400 before `path` and `command` exist: log it all the same,
        # or the exception drops the connection without an answer.
        path = str(getattr(self, "path", "") or "").split("?", 1)[0][:200]
        path = "".join(ch if ch.isprintable() else "?" for ch in path)
        command = getattr(self, "command", None) or "-"
        self.log("info", '"%s %s %s" %s %s', command, path, self.request_version, code, size)
