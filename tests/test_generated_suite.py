"""Tier (c), slow: a bake of each web framework installs with its own `make install`, passes `make lint`
(ruff and mypy, which need the installed dependencies) and `make test-all`.

Needs network access to PyPI. TEST_DATABASE_URL, TEST_REDIS_URL and REQUIRE_* pass through to the
baked project's tests (CI sets them so the PostgreSQL and browser tests run instead of skipping).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import bake

PASSED_THROUGH = (
    "TEST_DATABASE_URL",
    "TEST_REDIS_URL",
    "REQUIRE_POSTGRES",
    "REQUIRE_REDIS",
    "REQUIRE_BROWSER",
)
# Variables that would leak this repository's environment, or the developer's own App settings, into the run.
WITHHELD = (
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "PYTHONHOME",
    "PYTEST_ADDOPTS",
    "PYTEST_PLUGINS",
    "PYTEST_CURRENT_TEST",
    "AKENEO_CLIENT_ID",
    "AKENEO_CLIENT_SECRET",
    "AKENEO_SCOPES",
    "APP_URL",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_PIM_HOSTS",
    "PORT",
    "PIM_EMULATOR_PORT",
    "PIM_EMULATOR_AUTO_CONSENT",
)
TAIL_LINES = 80
TIMEOUT_SECONDS = 900
# The steps stop a little before pytest-timeout would, so a hung run still reports its output's tail.
STEPS_BUDGET_SECONDS = TIMEOUT_SECONDS - 60
SUMMARY = re.compile(
    r"^=+ (?P<counts>.*\d+ (?:passed|failed|errors?|skipped).*) in [\d.]+s.*=+$", re.MULTILINE
)


def clean_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in WITHHELD}
    assert all(environment.get(key) == os.environ.get(key) for key in PASSED_THROUGH)
    return environment


class Steps:
    """Runs the steps one after another within one time budget, logging their output to one file.

    Each step runs in its own process group, so a step that outlives the budget is stopped with everything it
    started (make -> pytest -> the App and the emulator) rather than left running behind the test.
    """

    def __init__(self, cwd: Path, log: Path, budget_seconds: float) -> None:
        self.cwd = cwd
        self.log = log
        self.deadline = time.monotonic() + budget_seconds

    def run(self, command: list[str]) -> int:
        with self.log.open("a") as output:
            output.write(f"\n$ {' '.join(command)}\n")
            output.flush()
            process = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=clean_environment(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                returncode = process.wait(timeout=max(self.deadline - time.monotonic(), 1))
            except subprocess.TimeoutExpired:
                output.write(f"\n*** {' '.join(command)}: out of time, stopped ***\n")
                returncode = -signal.SIGKILL
            finally:
                stop_group(process)
        if returncode != 0:
            print_tail(self.log)
        return returncode


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Kill whatever is left of the step's process group (servers a test forgot to stop, or a hung run)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def print_tail(log: Path) -> None:
    lines = log.read_text(errors="replace").splitlines()
    print(f"--- last {TAIL_LINES} lines of {log} ---")
    print("\n".join(lines[-TAIL_LINES:]))


@pytest.mark.slow
@pytest.mark.timeout(TIMEOUT_SECONDS)
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
# Both web layers, both database defaults; with TEST_DATABASE_URL set each suite runs its PostgreSQL half too.
@pytest.mark.parametrize(("web_framework", "database"), [("flask", "sqlite"), ("fastapi", "postgresql")])
def test_the_baked_project_passes_its_own_test_suite(
    cookies, tmp_path: Path, web_framework: str, database: str
):
    if database == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip("the PostgreSQL variant's suite needs TEST_DATABASE_URL")
    result = bake(cookies, web_framework=web_framework, database=database)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    log = tmp_path / "generated-suite.log"
    steps = Steps(project, log, budget_seconds=STEPS_BUDGET_SECONDS)

    # What a user runs: make install (a fresh .venv from uv.lock), on the Python running these tests.
    assert steps.run(["make", "install", f"PYTHON={sys.executable}"]) == 0, "make install failed"
    # The type check needs the locked dependencies installed, so it runs here rather than in the static tier.
    assert steps.run(["make", "lint"]) == 0, "make lint failed"
    # Every test, the slow ones too, as the generated CI runs them.
    assert steps.run(["make", "test-all"]) == 0, "make test-all failed"

    output = log.read_text(errors="replace")
    summaries = SUMMARY.findall(output)
    assert summaries, f"no pytest summary line in the output of make test-all (see {log})"
    counts = summaries[-1]
    print(f"baked {web_framework}/{database} project's own suite: {counts}")
    if "passed" not in counts or re.search(r"\d+ (failed|errors?)\b", counts):
        print_tail(log)
    assert "passed" in counts, counts
    assert not re.search(r"\d+ (failed|errors?)\b", counts), counts
