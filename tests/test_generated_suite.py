"""Tier (c), slow: the default project installs in a fresh virtual environment and passes its own `make test`.

Needs network access to PyPI. TEST_DATABASE_URL, REQUIRE_POSTGRES and REQUIRE_BROWSER pass through to the
baked project's tests (CI sets them so the PostgreSQL and browser tests run instead of skipping).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import bake

PASSED_THROUGH = ("TEST_DATABASE_URL", "REQUIRE_POSTGRES", "REQUIRE_BROWSER")
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
SUMMARY = re.compile(
    r"^=+ (?P<counts>.*\d+ (?:passed|failed|errors?|skipped).*) in [\d.]+s.*=+$", re.MULTILINE
)


def clean_environment() -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key not in WITHHELD}
    assert all(environment.get(key) == os.environ.get(key) for key in PASSED_THROUGH)
    return environment


def run_logged(command: list[str], cwd: Path, log: Path) -> int:
    """Run a step, appending its output to the log, and print the output's tail when it fails."""
    with log.open("a") as output:
        output.write(f"\n$ {' '.join(command)}\n")
        output.flush()
        returncode = subprocess.run(
            command, cwd=cwd, env=clean_environment(), stdout=output, stderr=subprocess.STDOUT, check=False
        ).returncode
    if returncode != 0:
        print_tail(log)
    return returncode


def print_tail(log: Path) -> None:
    lines = log.read_text(errors="replace").splitlines()
    print(f"--- last {TAIL_LINES} lines of {log} ---")
    print("\n".join(lines[-TAIL_LINES:]))


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_default_project_passes_its_own_test_suite(cookies, tmp_path: Path):
    result = bake(cookies)
    assert result.exit_code == 0, result.exception
    project = result.project_path
    log = tmp_path / "generated-suite.log"
    python = str(project / ".venv" / "bin" / "python")

    assert run_logged([sys.executable, "-m", "venv", ".venv"], project, log) == 0, "python -m venv failed"
    assert run_logged([python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"], project, log) == 0, (
        "pip install -e '.[dev]' failed"
    )
    assert run_logged(["make", "test"], project, log) == 0, "make test failed"

    output = log.read_text(errors="replace")
    summaries = SUMMARY.findall(output)
    assert summaries, f"no pytest summary line in the output of make test (see {log})"
    counts = summaries[-1]
    print(f"baked project's own suite: {counts}")
    if "passed" not in counts or re.search(r"\d+ (failed|errors?)\b", counts):
        print_tail(log)
    assert "passed" in counts, counts
    assert not re.search(r"\d+ (failed|errors?)\b", counts), counts
