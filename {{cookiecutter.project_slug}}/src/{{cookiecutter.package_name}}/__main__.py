"""`python -m <package>`: run the App on the development server (make run, make dev); with a command
(`python -m <package> init-env`), run that command instead."""

from __future__ import annotations

import logging
import os
import sys

from . import cli
from .database import UnsupportedDatabase
from .settings import SettingsError, load_settings
from .web import create_app
from .web.serving import PathOnlyRequestHandler


def main() -> int:
    if len(sys.argv) > 1:
        return cli.main(sys.argv[1:])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
        app = create_app(settings)
    except (SettingsError, UnsupportedDatabase) as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2
    host = os.environ.get("HOST", "127.0.0.1")
    print(f"App on {settings.app_url} (listening on {host}:{settings.port})", flush=True)
    app.run(host=host, port=settings.port, request_handler=PathOnlyRequestHandler)
    return 0


if __name__ == "__main__":
    sys.exit(main())
