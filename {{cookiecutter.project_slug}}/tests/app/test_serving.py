"""The App under gunicorn with two worker processes, as `make serve` runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from {{ cookiecutter.package_name }}.token_cipher import TokenCipher
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from pim_emulator.server import ServerThread

from tests.support.app_settings import CLIENT_ID, CLIENT_SECRET, TOKEN_KEY
from tests.support.stack import emulator_for, not_ready

PROJECT = Path(__file__).resolve().parents[2]
PIM_COUNT = 4
BROWSER_COUNT = 24


@pytest.fixture
def database_url(tmp_path):
    """PostgreSQL (a schema of its own) when TEST_DATABASE_URL is set, else a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'tokens.sqlite3'}"
        return
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{url}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@contextmanager
def gunicorn(database_url: str, port: int, log: Path, *extra_args: str):
    app_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "AKENEO_SCOPES": "read_products",
        "APP_URL": app_url,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECRET_KEY": "one-secret-key-shared-by-every-worker",
        "DATABASE_URL": database_url,
        "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
        "WEB_CONCURRENCY": "2",
    }
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", *extra_args],
            cwd=PROJECT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_healthy(app_url, process, log)
            yield app_url, log
        finally:
            process.terminate()
            process.wait(timeout=20)


def wait_until_healthy(app_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{app_url}/health", timeout=1).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer /health in 30 s:\n{log.read_text()}")


@contextmanager
def emulators(count: int):
    """`count` separate PIMs, registered with the App once its URL is known (see register_app)."""
    with ExitStack() as stack:
        yield [stack.enter_context(ServerThread(not_ready)) for _ in range(count)]


def register_app(servers: list[ServerThread], app_url: str) -> None:
    for server in servers:
        server.wsgi_app = emulator_for(app_url, server.url)


def connect(app_url: str, pim_url: str) -> requests.Response:
    return requests.Session().get(f"{app_url}/activate", params={"pim_url": pim_url}, timeout=30)


def access_log_pids(log: Path, path: str) -> list[str]:
    return re.findall(rf'<(\d+)> "GET {re.escape(path)} ', log.read_text())


def test_concurrent_activations_on_two_workers_all_connect_and_never_cross_pims(
    database_url, unused_port, tmp_path
):
    with emulators(PIM_COUNT) as pims:
        pim_urls = [pim.url for pim in pims]
        with gunicorn(database_url, unused_port, tmp_path / "gunicorn.log") as (app_url, log):
            register_app(pims, app_url)
            targets = [pim_urls[i % PIM_COUNT] for i in range(BROWSER_COUNT)]
            with ThreadPoolExecutor(max_workers=BROWSER_COUNT) as pool:
                pages = list(pool.map(lambda pim_url: connect(app_url, pim_url), targets))

            for pim_url, page in zip(targets, pages, strict=True):
                assert page.status_code == 200, page.text[:500]
                assert page.url == f"{app_url}/"
                assert re.findall(r'data-pim-url="([^"]+)"', page.text) == [pim_url]
                assert page.text.count('class="product"') == 10
            assert len(set(access_log_pids(log, "/callback"))) == 2, "both workers served callbacks"

    store = SqlTokenStore.from_url(database_url, TokenCipher([TOKEN_KEY]))
    assert sorted(c.pim_url for c in store.all()) == sorted(pim_urls)
    store.engine.dispose()


def test_a_callback_is_accepted_by_another_worker_process_than_the_activation(
    database_url, unused_port, tmp_path
):
    # Each worker process serves one request and is replaced: activation and callback cannot share one.
    with (
        emulators(1) as pims,
        gunicorn(database_url, unused_port, tmp_path / "gunicorn.log", "--max-requests", "1") as (
            app_url,
            log,
        ),
    ):
        register_app(pims, app_url)
        page = connect(app_url, pims[0].url)
        assert page.status_code == 200
        assert page.text.count('class="product"') == 10
        activate_pid = access_log_pids(log, "/activate")[0]
        callback_pid = access_log_pids(log, "/callback")[0]
        assert activate_pid != callback_pid


def test_the_access_log_holds_no_code_or_state(database_url, unused_port, tmp_path):
    with (
        emulators(1) as pims,
        gunicorn(database_url, unused_port, tmp_path / "gunicorn.log") as (app_url, log),
    ):
        register_app(pims, app_url)
        connect(app_url, pims[0].url)
        lines = [line for line in log.read_text().splitlines() if "/callback" in line]
        assert lines
        assert not any("code=" in line or "state=" in line for line in lines)
