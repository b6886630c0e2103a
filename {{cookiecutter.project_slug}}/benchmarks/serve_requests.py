"""Benchmark: requests per second and latency of /health and the dashboard, served as in production.

Starts the local PIM emulator and the App under gunicorn (`gunicorn.conf.py`, as `make serve` does) with
`--workers` workers, connects through the real activation, then sends `--requests` requests to each path
from `--clients` concurrent clients, after a warm-up, and prints the figures. Every request must answer 200.

    .venv/bin/python benchmarks/serve_requests.py [--workers 2] [--clients 8] [--requests 2000]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

from {{ cookiecutter.package_name }}.token_cipher import generate_key

PROJECT = Path(__file__).resolve().parents[1]
FRAMEWORK = (
    "FastAPI (uvicorn workers)"
    if (PROJECT / "src" / "{{ cookiecutter.package_name }}" / "web" / "asgi.py").exists()
    else "Flask (sync workers)"
)
CLIENT_ID = str(uuid.uuid4())
CLIENT_SECRET = secrets.token_urlsafe(24)
# The dashboard's first products come from the emulator: each dashboard request makes one PIM call.
PATHS = {"/health": 1.0, "/": 0.15}  # the dashboard gets this share of --requests


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def process(command: list[str], env: dict[str, str], ready_url: str) -> Iterator[None]:
    """A server process, until `ready_url` answers 200; stopped on exit."""
    with tempfile.TemporaryFile() as output:
        # A fixed command: this interpreter running the emulator or gunicorn.
        child = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            while True:
                if child.poll() is not None:
                    output.seek(0)
                    raise SystemExit(f"{command[2]} exited:\n{output.read().decode(errors='replace')}")
                try:
                    if requests.get(ready_url, timeout=30).status_code == 200:
                        break
                except requests.RequestException:
                    time.sleep(0.2)
            yield
        finally:
            child.terminate()
            child.wait(timeout=30)


def measure(url: str, cookies: dict[str, str], count: int, clients: int) -> list[float]:
    """Seconds per request, `count` requests from `clients` threads with a connection each."""

    def worker(share: int) -> list[float]:
        session = requests.Session()
        session.cookies.update(cookies)
        timings = []
        for _ in range(share):
            started = time.perf_counter()
            response = session.get(url, timeout=60)
            timings.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        return timings

    shares = [count // clients + (1 if index < count % clients else 0) for index in range(clients)]
    with ThreadPoolExecutor(max_workers=clients) as pool:
        return [timing for timings in pool.map(worker, shares) for timing in timings]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    app_port, pim_port = free_port(), free_port()
    app_url, pim_url = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{pim_port}"
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        env = {
            **os.environ,
            "AKENEO_CLIENT_ID": CLIENT_ID,
            "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
            "AKENEO_SCOPES": "read_products",
            "APP_URL": app_url,
            "HOST": "127.0.0.1",
            "PORT": str(app_port),
            "SECRET_KEY": secrets.token_urlsafe(48),
            "TOKEN_ENCRYPTION_KEY": generate_key(),
            "DATABASE_URL": f"sqlite:///{Path(scratch) / 'benchmark.sqlite3'}",
            "WEB_CONCURRENCY": str(args.workers),
            "PIM_EMULATOR_PORT": str(pim_port),
            "PIM_EMULATOR_AUTO_CONSENT": "1",
        }
        servers.enter_context(
            process([sys.executable, "-m", "pim_emulator"], env, f"{pim_url}/connect/app-store")
        )
        gunicorn = [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ]
        servers.enter_context(process(gunicorn, env, f"{app_url}/health"))
        browser = requests.Session()
        page = browser.get(f"{app_url}/activate", params={"pim_url": pim_url}, timeout=60)
        if page.status_code != 200 or 'class="product"' not in page.text:
            raise SystemExit(f"the activation did not reach the dashboard: HTTP {page.status_code}")
        cookies = browser.cookies.get_dict(domain=None)

        print(f"{FRAMEWORK}, {args.workers} workers, {args.clients} concurrent clients")
        print(f"{'path':<10} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
        for path, share in PATHS.items():
            count = max(args.clients, int(args.requests * share))
            measure(f"{app_url}{path}", cookies, args.clients * 5, args.clients)  # warm-up
            started = time.perf_counter()
            timings = sorted(measure(f"{app_url}{path}", cookies, count, args.clients))
            elapsed = time.perf_counter() - started
            p50 = statistics.median(timings) * 1000
            p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000
            print(f"{path:<10} {count:>8} {count / elapsed:>8.0f} {p50:>8.1f} {p99:>8.1f}")


if __name__ == "__main__":
    main()
