"""`python -m <package>.web`: the App on Flask's development server (make run, make dev)."""

from __future__ import annotations

import os
import sys

from ..startup import StartupError, start
from . import create_app
from .dev_server import run


def main() -> int:
    try:
        services = start()
    except StartupError as error:
        print(error, file=sys.stderr)
        return 2
    settings = services.settings
    app = create_app(services=services)
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"App on {settings.app_url} (listening on {host}:{settings.port})", flush=True)
    run(app, host, settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
