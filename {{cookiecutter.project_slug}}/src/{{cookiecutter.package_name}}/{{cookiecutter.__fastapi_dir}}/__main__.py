"""`python -m <package>.web`: the App on uvicorn's development server (make run, make dev)."""

from __future__ import annotations

import os
import sys

from ..startup import StartupError, start
from .dev_server import run


def main() -> int:
    try:
        # Here, for one line on a bad setting, rather than a traceback from uvicorn's import of the App.
        settings = start().settings
    except StartupError as error:
        print(error, file=sys.stderr)
        return 2
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"App on {settings.app_url} (listening on {host}:{settings.port})", flush=True)
    run(f"{__package__}.asgi:app", host, settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
