"""Bake the App with each web framework and run the same serving benchmark on both, in turn, in one run.

Each bake is installed by its own `make install`, then `benchmarks/serve_requests.py` (gunicorn as in
`make serve`, the same worker count, the local PIM emulator behind the dashboard) runs for Flask, then
FastAPI, `--rounds` times, so a drift of the machine's speed shows instead of favouring one. Needs PyPI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("flask", "fastapi")


def bake_and_install(scratch: Path, framework: str) -> Path:
    config = scratch / "cookiecutter-config.yaml"
    config.write_text(f"cookiecutters_dir: {scratch / 'cc'}\nreplay_dir: {scratch / 'replay'}\n")
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(scratch / framework),
            config_file=str(config),
            extra_context={"web_framework": framework},
        )
    )
    subprocess.run(["make", "install", f"PYTHON={sys.executable}"], cwd=project, check=True)  # noqa: S603, S607
    return project


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--clients", default="8")
    parser.add_argument("--requests", default="2000")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        projects = {framework: bake_and_install(Path(scratch), framework) for framework in FRAMEWORKS}
        for round_number in range(1, args.rounds + 1):
            for project in projects.values():
                print(f"--- round {round_number}", flush=True)
                subprocess.run(  # noqa: S603 (the bake's own interpreter and script)
                    [
                        str(project / ".venv" / "bin" / "python"),
                        "benchmarks/serve_requests.py",
                        "--workers",
                        args.workers,
                        "--clients",
                        args.clients,
                        "--requests",
                        args.requests,
                    ],
                    cwd=project,
                    check=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
