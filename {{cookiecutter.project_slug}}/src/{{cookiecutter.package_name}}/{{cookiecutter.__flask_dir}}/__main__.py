"""`python -m <package>.web`: the App on Flask's development server (make run, make dev)."""

from __future__ import annotations

import logging
import os
import sys

from ..database import UnsupportedDatabase
from ..settings import SettingsError, load_settings
from . import create_app
from .dev_server import run


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        app = create_app(settings)
    except (SettingsError, UnsupportedDatabase) as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"App on {settings.app_url} (listening on {host}:{settings.port})", flush=True)
    run(app, host, settings.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
