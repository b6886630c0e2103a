"""Benchmark: walk every product of a large PIM catalog with the App's REST client, and print the figures.

Runs the local PIM emulator in a subprocess (so the figures are the client's alone), connects through the
real activation flow, then follows `_links.next` through the whole catalog.

    .venv/bin/python benchmarks/walk_products.py [--products 100000] [--page-size 100]
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

from {{ cookiecutter.package_name }}.oauth import authorize_url, exchange_code
from {{ cookiecutter.package_name }}.pim_api import PimApiClient
from {{ cookiecutter.package_name }}.pim_http import build_pim_session

PROJECT = Path(__file__).resolve().parents[1]
CLIENT_ID = str(uuid.uuid4())
CLIENT_SECRET = secrets.token_urlsafe(24)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_emulator(products: int, state_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "APP_URL": "http://127.0.0.1:9",  # the callback is read from the redirect, never visited
        "PIM_EMULATOR_PORT": str(port),
        "PIM_EMULATOR_URL": f"http://127.0.0.1:{port}",
        "PIM_EMULATOR_AUTO_CONSENT": "1",
        "PIM_EMULATOR_PRODUCTS": str(products),
        "PIM_EMULATOR_STATE_FILE": str(state_file),  # its own, never the one make dev keeps
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pim_emulator"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/connect/app-store", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the PIM emulator did not start in 20 s")


def connect(pim_url: str) -> str:
    """The access token, through the authorize redirect and the token exchange."""
    browser = requests.Session()
    authorize = authorize_url(pim_url, CLIENT_ID, "read_products", "benchmark-state")
    callback = browser.get(authorize, allow_redirects=False, timeout=10).headers["Location"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    return exchange_code(loopback_session(), pim_url, CLIENT_ID, CLIENT_SECRET, code).access_token


def loopback_session() -> requests.Session:
    """The App's PIM session, allowed to reach the emulator on loopback as ALLOWED_PIM_HOSTS does locally."""
    return build_pim_session(frozenset({"127.0.0.1", "localhost"}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    args = parser.parse_args()

    scratch = tempfile.TemporaryDirectory(prefix="benchmark-")
    emulator, pim_url = start_emulator(args.products, Path(scratch.name) / "pim_emulator_state.json")
    try:
        client = PimApiClient(loopback_session(), pim_url, connect(pim_url))
        tracemalloc.start()
        started = time.perf_counter()
        count = sum(1 for _ in client.iter_products(page_size=args.page_size))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
        scratch.cleanup()

    pages = -(-count // args.page_size)
    print(f"products walked      {count}")
    print(f"pages of {args.page_size:<11} {pages}")
    print(f"seconds              {elapsed:.2f}")
    print(f"products per second  {count / elapsed:,.0f}")
    print(f"ms per page          {1000 * elapsed / max(pages, 1):.1f}")
    print(f"client peak memory   {peak / 1_000_000:.1f} MB (Python allocations while walking)")


if __name__ == "__main__":
    main()
