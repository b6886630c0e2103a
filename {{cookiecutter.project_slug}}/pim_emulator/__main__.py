"""`python -m pim_emulator`: serve the local PIM emulator, configured from the environment and .env."""

import sys
from pathlib import Path

from werkzeug.serving import make_server

from {{ cookiecutter.package_name }}.env_values import read_environment

from pim_emulator.config import ConfigError, EmulatorConfig
from pim_emulator.web import create_app


def main() -> int:
    environ = read_environment(Path.cwd() / ".env")
    try:
        config = EmulatorConfig.from_env(environ)
    except ConfigError as error:
        print(f"pim_emulator: {error}", file=sys.stderr)
        return 2
    host = environ.get("PIM_EMULATOR_HOST", "").strip() or "127.0.0.1"
    # werkzeug prints its own message and exits 1 when the port is taken.
    server = make_server(host, config.port, create_app(config), threaded=True)
    print(f"Local PIM emulator: open {config.app_store_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
