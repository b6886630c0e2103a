"""Benchmark: sync a large emulator catalog into the App's database, then what changed, then a killed sync.

Runs the local PIM emulator in a subprocess, connects through the real activation flow, and prints:
1. a full sync of every product (time, rows, products a second);
2. after `--changes` products are edited through the PIM's API, an incremental sync (what it wrote, time);
3. the copy emptied, a sync command killed with SIGKILL mid-way, then run again: how many products each run
   wrote, and the rows and distinct uuids at the end (every product exactly once).

    .venv/bin/python benchmarks/sync_products.py [--products 100000] [--changes 100] [--database-url URL]

Without --database-url the rows go to a SQLite file in a temporary folder; with a PostgreSQL URL, to that
database (the run creates the App's tables there if missing and leaves them).
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from {{ cookiecutter.package_name }}.oauth import authorize_url, exchange_code
from {{ cookiecutter.package_name }}.pim_http import build_pim_session
from {{ cookiecutter.package_name }}.product_sync import sync_pim
from {{ cookiecutter.package_name }}.services import Services, build_services
from {{ cookiecutter.package_name }}.settings import load_settings
from {{ cookiecutter.package_name }}.sync_progress import LogProgress
from {{ cookiecutter.package_name }}.sync_store import PRODUCTS

PROJECT = Path(__file__).resolve().parents[1]
CLIENT_ID = str(uuid.uuid4())
CLIENT_SECRET = secrets.token_urlsafe(24)
TOKEN_KEY = Fernet.generate_key().decode()
SCOPES = "read_products write_products"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_emulator(products: int, state_file: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "APP_URL": "http://127.0.0.1:9",  # the callback is read from the redirect, never visited
        "PIM_EMULATOR_PORT": str(port),
        "PIM_EMULATOR_URL": url,
        "PIM_EMULATOR_AUTO_CONSENT": "1",
        "PIM_EMULATOR_PRODUCTS": str(products),
        "PIM_EMULATOR_STATE_FILE": str(state_file),
    }
    quiet = subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "pim_emulator"], cwd=PROJECT, env=env, stdout=quiet, stderr=quiet
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/connect/app-store", timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the PIM emulator did not start in 60 s")


def connect(pim_url: str) -> str:
    """An access token, through the authorize redirect and the token exchange."""
    authorize = authorize_url(pim_url, CLIENT_ID, SCOPES, "benchmark-state")
    callback = requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"]
    code = parse_qs(urlsplit(callback).query)["code"][0]
    session = build_pim_session(frozenset({"127.0.0.1", "localhost"}))
    return exchange_code(session, pim_url, CLIENT_ID, CLIENT_SECRET, code).access_token


def app_environment(database_url: str, scratch: Path) -> dict[str, str]:
    return {
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "AKENEO_SCOPES": SCOPES,
        "APP_URL": "http://127.0.0.1:9",
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
        "JOBS_QUEUE_FILE": str(scratch / "jobs.sqlite3"),
        "LOG_LEVEL": "WARNING",
    }


def connected_services(environ: dict[str, str], pim_url: str, token: str) -> Services:
    services = build_services(load_settings(environ))
    services.store.save(pim_url, token, tuple(SCOPES.split()))
    return services


def row_counts(services: Services) -> tuple[int, int]:
    with services.engine.connect() as db:
        rows = db.execute(select(func.count()).select_from(PRODUCTS)).scalar_one()
        distinct = db.execute(select(func.count(PRODUCTS.c.uuid.distinct()))).scalar_one()
    return int(rows), int(distinct)


def edit_products(pim_url: str, token: str, count: int) -> None:
    """Disable `count` products through the PIM's API, as a person editing them would."""
    headers = {"Authorization": f"Bearer {token}"}
    page = requests.get(
        f"{pim_url}/api/rest/v1/products-uuid",
        params={"limit": str(min(count, 100)), "pagination_type": "search_after"},
        headers=headers,
        timeout=60,
    ).json()
    uuids = [item["uuid"] for item in page["_embedded"]["items"]]
    while len(uuids) < count:
        page = requests.get(page["_links"]["next"]["href"], headers=headers, timeout=60).json()
        uuids += [item["uuid"] for item in page["_embedded"]["items"]]
    for product_uuid in uuids[:count]:
        answer = requests.patch(
            f"{pim_url}/api/rest/v1/products-uuid/{product_uuid}",
            json={"enabled": False},
            headers=headers,
            timeout=60,
        )
        answer.raise_for_status()


def killed_and_restarted(environ: dict[str, str], pim_url: str, token: str, products: int) -> None:
    services = connected_services(environ, pim_url, token)
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "sync"]
    env = {**os.environ, **environ}
    first = subprocess.Popen(command, cwd=PROJECT, env=env, stderr=subprocess.DEVNULL)  # noqa: S603 (fixed)
    target = products * 2 // 5
    while services.sync_store.status(pim_url).run_written < target:
        if first.poll() is not None:
            raise SystemExit("the sync ended before it could be killed; try more products")
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    before = services.sync_store.status(pim_url).run_written
    second = subprocess.run(command, cwd=PROJECT, env=env, capture_output=True, text=True, check=True)  # noqa: S603
    after = services.sync_store.status(pim_url)
    rows, distinct = row_counts(services)
    print(f"killed at                 {before:,} products written (SIGKILL)")
    print(f"restarted and finished    {second.stdout.strip()}")
    print(f"rows / distinct uuids     {rows:,} / {distinct:,} of {products:,} ({after.state})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite files)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sync-benchmark-") as folder:
        scratch = Path(folder)
        emulator, pim_url = start_emulator(args.products, scratch / "pim_emulator_state.json")
        try:
            token = connect(pim_url)
            database_url = args.database_url or f"sqlite:///{scratch / 'app.sqlite3'}"
            services = connected_services(app_environment(database_url, scratch), pim_url, token)
            print(f"database                  {services.engine.url.get_backend_name()}")
            started = time.perf_counter()
            report = sync_pim(services, pim_url, progress=LogProgress())
            seconds = time.perf_counter() - started
            print(f"full sync                 {report.written:,} products in {seconds:.1f} s", end="")
            print(f" ({report.written / seconds:,.0f} a second); rows {row_counts(services)[0]:,}")

            edit_products(pim_url, token, args.changes)
            started = time.perf_counter()
            report = sync_pim(services, pim_url, progress=LogProgress())
            seconds = time.perf_counter() - started
            written = f"{report.written:,} products in {seconds:.1f} s"
            print(f"incremental after edits   {written} ({args.changes} edited)")

            services.sync_store.forget(pim_url)  # an empty copy again, for the killed sync
            killed_and_restarted(app_environment(database_url, scratch), pim_url, token, args.products)
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)


if __name__ == "__main__":
    main()
