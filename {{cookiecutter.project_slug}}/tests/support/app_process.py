"""`python -m <package> …` in a process of its own (a sync, a worker), beside a test's stack.

The process reads the same settings as the stack's App, from its environment only: it runs in the test's
folder, where no .env lies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.stack import Stack

# Generous: two cores shared by several test runs at once.
WAIT_SECONDS = 120.0


def app_environment(stack: Stack, **overrides: str) -> dict[str, str]:
    settings = stack.services.settings
    return {
        **os.environ,
        "AKENEO_CLIENT_ID": settings.client_id,
        "AKENEO_CLIENT_SECRET": settings.client_secret,
        "AKENEO_SCOPES": settings.scope_string,
        "APP_URL": settings.app_url,
        "SECRET_KEY": settings.secret_key,
        "DATABASE_URL": settings.database_url,
        "TOKEN_ENCRYPTION_KEY": ",".join(settings.token_encryption_keys),
        "LOG_LEVEL": "INFO",
{%- if cookiecutter.background_jobs %}
        "JOBS_QUEUE_FILE": settings.jobs_queue_file,
        "REDIS_URL": settings.redis_url,
        "JOBS_QUEUE_NAME": settings.jobs_queue_name,
{%- endif %}
        **overrides,
    }


@contextmanager
def app_process(stack: Stack, folder: Path, *args: str, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """`python -m <package> args` with the stack's settings; its output goes to folder/<command>.log.

    Stopped (SIGKILL) on the way out if it still runs.
    """
    log = folder / f"{args[0]}.log"
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "{{ cookiecutter.package_name }}", *args],
            cwd=folder,
            env=app_environment(stack, **env),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
            process.wait(timeout=WAIT_SECONDS)


def wait_for(
    condition: Callable[[], bool], what: str, process: subprocess.Popen[bytes] | None = None
) -> None:
    """Until condition() holds; fails with `what` after WAIT_SECONDS, or as soon as the process ends."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process ended (status {process.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {WAIT_SECONDS:.0f} s")
        time.sleep(0.05)
