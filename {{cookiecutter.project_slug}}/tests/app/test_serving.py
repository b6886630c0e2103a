"""The App under gunicorn with two worker processes, as `make serve` runs it."""

from __future__ import annotations

import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from {{ cookiecutter.package_name }}.token_cipher import TokenCipher
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore

from pim_emulator.server import ServerThread

from tests.support.app_settings import TOKEN_KEY
from tests.support.serving import PROJECT, free_port, gunicorn, gunicorn_command, gunicorn_env
from tests.support.stack import emulator_for, not_ready

pytestmark = pytest.mark.slow  # each test starts gunicorn

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


def test_an_activation_started_on_one_instance_completes_on_another(database_url, tmp_path):
    # Two servers sharing the database and SECRET_KEY, as two machines behind a load balancer would.
    first_port, second_port = free_port(), free_port()
    with (
        emulators(1) as pims,
        gunicorn(database_url, first_port, tmp_path / "first.log", "--workers", "1") as (
            first_url,
            first_log,
        ),
        gunicorn(database_url, second_port, tmp_path / "second.log", "--workers", "1") as (
            second_url,
            second_log,
        ),
    ):
        register_app(pims, first_url)
        browser = requests.Session()
        to_pim = browser.get(
            f"{first_url}/activate", params={"pim_url": pims[0].url}, allow_redirects=False, timeout=30
        )
        to_callback = browser.get(to_pim.headers["Location"], allow_redirects=False, timeout=30)
        callback = to_callback.headers["Location"].replace(first_url, second_url)
        page = browser.get(callback, timeout=30)
        assert page.status_code == 200
        assert page.url == f"{second_url}/"
        assert page.text.count('class="product"') == 10
        assert access_log_pids(first_log, "/activate") and not access_log_pids(first_log, "/callback")
        assert access_log_pids(second_log, "/callback")


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


def test_the_apps_own_log_lines_show_under_gunicorn_with_time_level_and_logger(
    database_url, unused_port, tmp_path
):
    with (
        emulators(1) as pims,
        gunicorn(database_url, unused_port, tmp_path / "gunicorn.log") as (app_url, log),
    ):
        register_app(pims, app_url)
        connect(app_url, pims[0].url)
        lines = log.read_text().splitlines()
    logger = re.escape("{{ cookiecutter.package_name }}.activation")
    pattern = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ INFO " + logger + ": Connected to ")
    assert any(pattern.match(line) for line in lines), "\n".join(lines[-20:])


DEV_SERVER = ["-m", "{{ cookiecutter.package_name }}.web"]


@pytest.mark.parametrize("command", [DEV_SERVER, ["-m", "gunicorn", "-c", "gunicorn.conf.py"]])
def test_a_stopped_database_is_one_line_naming_database_url(unused_port, tmp_path, command):
    stopped = f"postgresql+psycopg://app:secret@127.0.0.1:{unused_port}/app"
    result = subprocess.run(
        [sys.executable, *command],
        cwd=PROJECT,
        env=gunicorn_env(stopped, free_port(), WEB_CONCURRENCY="1"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    errors = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    assert len(errors) == 1, errors
    assert "DATABASE_URL" in errors[0]
    assert f"127.0.0.1:{unused_port}" in errors[0]
    assert "secret" not in errors[0]
