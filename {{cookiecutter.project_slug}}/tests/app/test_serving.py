"""The App under gunicorn with two worker processes, as `make serve` runs it."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

from {{ cookiecutter.package_name }}.token_cipher import TokenCipher
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from pim_emulator.server import ServerThread

from tests.support.app_settings import TOKEN_KEY
from tests.support.serving import PROJECT, gunicorn, gunicorn_command, gunicorn_env
from tests.support.stack import emulator_for, not_ready

PIM_COUNT = 4
BROWSER_COUNT = 24


@contextmanager
def emulators(count: int):
    """`count` separate PIMs, registered with the App once its URL is known (see register_app)."""
    with ExitStack() as stack:
        yield [stack.enter_context(ServerThread(not_ready)) for _ in range(count)]


def register_app(servers: list[ServerThread], app_url: str) -> None:
    for server in servers:
        server.wsgi_app = emulator_for(app_url, server.url)


def connect(app_url: str, pim_url: str) -> requests.Response:
    browser = requests.Session()
    # A connection per request, as browsers often do: a kept-alive one would stay with one worker.
    browser.headers["Connection"] = "close"
    return browser.get(f"{app_url}/activate", params={"pim_url": pim_url}, timeout=30)


def access_log_pids(log: Path, path: str) -> list[str]:
    # gunicorn's access lines and uvicorn's both carry the worker's pid in <…> and the request in quotes.
    return re.findall(rf'<(\d+)>[^\n"]*"GET {re.escape(path)}[ ?]', log.read_text())


def test_concurrent_activations_on_two_workers_all_connect_and_never_cross_pims(
    database_url, unused_port, tmp_path
):
    with emulators(PIM_COUNT) as pims:
        pim_urls = [pim.url for pim in pims]
        with gunicorn(database_url, unused_port, tmp_path / "gunicorn.log") as (app_url, _log):
            register_app(pims, app_url)
            targets = [pim_urls[i % PIM_COUNT] for i in range(BROWSER_COUNT)]
            with ThreadPoolExecutor(max_workers=BROWSER_COUNT) as pool:
                pages = list(pool.map(lambda pim_url: connect(app_url, pim_url), targets))

            for pim_url, page in zip(targets, pages, strict=True):
                assert page.status_code == 200, page.text[:500]
                assert page.url == f"{app_url}/"
                assert re.findall(r'data-pim-url="([^"]+)"', page.text) == [pim_url]
                assert page.text.count('class="product"') == 10
            # Which worker takes which request is gunicorn's choice (threads included); that a callback works
            # in another process than its activation is the next test's.

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


def test_several_workers_without_a_secret_key_are_refused(unused_port, tmp_path):
    result = subprocess.run(
        gunicorn_command(),
        cwd=PROJECT,
        env=gunicorn_env(f"sqlite:///{tmp_path / 'app.sqlite3'}", unused_port, SECRET_KEY=""),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set: several workers need one shared key" in result.stderr
