"""One logging set-up for every way the App runs: the development servers, gunicorn's workers, commands."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def configure_logging(level: str = "INFO") -> None:
    """Lines with time, level and logger on stderr, from `level` up (LOG_LEVEL).

    Through the root logger, so the servers' own loggers (werkzeug, uvicorn) share the format unless they
    bring handlers of their own, as gunicorn does for its access log.
    """
    root = logging.getLogger()
    if not any(getattr(handler, "_app_handler", False) for handler in root.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT))
        handler._app_handler = True  # type: ignore[attr-defined]  # found again on a second call
        root.addHandler(handler)
    root.setLevel(level)
