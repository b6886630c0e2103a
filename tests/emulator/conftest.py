"""Fixtures: a real emulator on a free loopback port, driven over HTTP like a browser and an App.

The emulator is the one a baked project ships: the default project is baked once per session, before the test
modules import `pim_emulator` from it.
"""

import atexit
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import bake_into, write_cookiecutter_config


def bake_default_project() -> Path:
    """Bake the default answers into a temporary folder, removed when the session ends."""
    scratch = Path(tempfile.mkdtemp(prefix="emulator-bake-"))
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return bake_into(scratch / "out", write_cookiecutter_config(scratch))


BAKED_PROJECT = bake_default_project()
# The emulator beside the App, and the App's package whose settings parsers it shares.
sys.path[:0] = [str(BAKED_PROJECT), str(BAKED_PROJECT / "src")]

from pim_emulator.clock import ManualClock
from pim_emulator.config import EmulatorConfig
from pim_emulator.server import ServerThread
from pim_emulator.web import create_app

from emulator_support import APP_URL, CLIENT_ID, CLIENT_SECRET, Emulator, not_ready


@pytest.fixture
def make_emulator() -> Iterator[Any]:
    """Start emulators with config overrides; all are stopped after the test."""
    servers: list[ServerThread] = []

    def make(**overrides: Any) -> Emulator:
        server = ServerThread(not_ready)
        servers.append(server)
        # Real "now", so id_tokens verify without turning off the expiry check.
        clock = ManualClock(time.time())
        settings = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "app_url": APP_URL,
            "public_url": server.url,
            "product_count": 45,
            **overrides,
        }
        config = EmulatorConfig(**settings)
        server.wsgi_app = create_app(config, clock)
        server.start()
        return Emulator(server.url, clock, config)

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def emulator(make_emulator: Any) -> Emulator:
    return make_emulator()


@pytest.fixture(scope="session")
def baked_project() -> Path:
    """The baked project whose pim_emulator the tests run."""
    return BAKED_PROJECT
