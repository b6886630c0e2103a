"""The App under gunicorn, as `make serve` runs it, for tests that need real worker processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.support.app_settings import CLIENT_ID, CLIENT_SECRET, TOKEN_KEY

PROJECT = Path(__file__).resolve().parents[2]
SHARED_SECRET_KEY = "one-secret-key-shared-by-every-worker-Zx81"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_env(database_url: str, port: int, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "AKENEO_SCOPES": "read_products",
        "APP_URL": f"http://127.0.0.1:{port}",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECRET_KEY": SHARED_SECRET_KEY,
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
        "WEB_CONCURRENCY": "2",
        **overrides,
    }


def gunicorn_command(*extra_args: str) -> list[str]:
    return [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", *extra_args]


@contextmanager
def gunicorn(database_url: str, port: int, log: Path, *extra_args: str) -> Iterator[tuple[str, Path]]:
    app_url = f"http://127.0.0.1:{port}"
    with log.open("w") as output:
        process = subprocess.Popen(
            gunicorn_command(*extra_args),
            cwd=PROJECT,
            env=gunicorn_env(database_url, port),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(app_url, process, log)
            yield app_url, log
        finally:
            process.terminate()
            process.wait(timeout=60)


def wait_until_healthy(app_url: str, process: subprocess.Popen, log: Path) -> None:
    """Until /health answers 200. A loaded machine can take many seconds to boot the workers, so there is no
    short limit here: only gunicorn exiting, or the test's own timeout, ends the wait."""
    while True:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{app_url}/health", timeout=60).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
