"""Access logs without query strings: /callback carries the single-use code and the state in its query."""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler


class PathOnlyRequestHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # A malformed request line is answered 400 before `path` and `command` exist: log it all the same,
        # or the exception drops the connection without an answer.
        path = str(getattr(self, "path", "") or "").split("?", 1)[0][:200]
        path = "".join(ch if ch.isprintable() else "?" for ch in path)
        command = getattr(self, "command", None) or "-"
        self.log("info", '"%s %s %s" %s %s', command, path, self.request_version, code, size)
