"""The App and the local PIM emulator, each served over real HTTP on a free loopback port."""

from __future__ import annotations

import io
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests
from flask import Flask

from {{ cookiecutter.package_name }} import cli
from {{ cookiecutter.package_name }}.database import create_database_engine, create_schema
from {{ cookiecutter.package_name }}.pim_http import build_pim_session
from {{ cookiecutter.package_name }}.pim_url import exact_hosts
from {{ cookiecutter.package_name }}.services import CallLimits, Services, build_services
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.token_store import SqlTokenStore
from {{ cookiecutter.package_name }}.web import create_app
from {{ cookiecutter.package_name }}.web.dev_server import AppServer

from pim_emulator.clock import ManualClock
from pim_emulator.config import EmulatorConfig
from pim_emulator.server import ServerThread
from pim_emulator.web import create_app as create_emulator
from pim_emulator.web import load_pim

from tests.support.app_settings import CLIENT_ID, CLIENT_SECRET, make_settings

# Emulators and App servers of finished stacks, for the next stacks to reuse (one list each per test process).
_idle_emulators: list[Flask] = []
_idle_app_servers: list[AppServer] = []

# Short enough that a hanging PIM fails a test in seconds, long enough for a loaded CI machine.
TEST_LIMITS = CallLimits(
    token_seconds=4.0, public_key_seconds=2.0, dashboard_seconds=6.0, card_seconds=4.0, command_seconds=6.0
)


@dataclass
class CommandResult:
    exit_code: int
    output: str


@dataclass
class Stack:
    services: Services
    app_url: str
    pim_url: str
    store: SqlTokenStore
    pim_clock: ManualClock
    app_server: AppServer
    _engines: list[Any] = field(default_factory=list)

    def browser(self) -> requests.Session:
        """A fresh browser: its own cookie jar, nothing else."""
        return local_session()

    def activate_url(self) -> str:
        return f"{self.app_url}/activate"

    def connect(self, browser: requests.Session, pim_url: str | None = None) -> requests.Response:
        """What clicking Connect (or Open app) in the PIM does, redirects followed to the end."""
        return browser.get(self.activate_url(), params={"pim_url": pim_url or self.pim_url}, timeout=10)

    def restart_app(self, **settings_overrides: Any) -> None:
        """The App restarted with changed settings (as after editing .env), on the same database."""
        services = test_services(replace(self.services.settings, **settings_overrides))
        store = services.store
        assert isinstance(store, SqlTokenStore)
        self._engines.append(store.engine)
        self.app_server.app = create_app(services=services)
        self.services, self.store = services, store

    @contextmanager
    def another_pim(self) -> Iterator[str]:
        """A second PIM emulator, with the same App registered; yields its URL."""
        server = ServerThread(not_ready)
        server.wsgi_app = emulator_for(self.app_url, server.url)
        with server:
            yield server.url

    def sign_in_as(self, pim_user: str, pim_url: str | None = None) -> None:
        """Switch the pretend user signed in to the PIM: "julia" may manage Apps, "sam" may only open them."""
        with local_session() as session:
            response = session.post(
                f"{pim_url or self.pim_url}/_emulator/user", json={"user": pim_user}, timeout=10
            )
        response.raise_for_status()

    def callback_url_from_pim(self, browser: requests.Session) -> str:
        """Run the activation up to the PIM's redirect back to the App, and return that URL unvisited."""
        to_pim = browser.get(
            self.activate_url(), params={"pim_url": self.pim_url}, allow_redirects=False, timeout=10
        )
        to_app = browser.get(to_pim.headers["Location"], allow_redirects=False, timeout=10)
        location = to_app.headers["Location"]
        assert location.startswith(f"{self.app_url}/callback?"), location
        return location

    def command(self, *args: str) -> CommandResult:
        """Run `python -m <package> <args>` in-process, on this stack's services."""
        output = io.StringIO()
        with redirect_stdout(output), redirect_stderr(output):
            exit_code = cli.main(list(args), services=self.services)
        return CommandResult(exit_code, output.getvalue())

    def control(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        with local_session() as session:
            response = session.post(f"{self.pim_url}/_emulator/{action}", json=body or {}, timeout=10)
        response.raise_for_status()
        return response.json()

    def pim_state(self) -> dict[str, Any]:
        with local_session() as session:
            return session.get(f"{self.pim_url}/_emulator/state", timeout=10).json()


def sqlite_with_tables(path: Path) -> str:
    """The URL of a new SQLite file that already has the App's tables.

    Copied from one file built once per test process: creating the tables is most of a stack's start-up. The
    App still runs its own schema check on it; tests/app/test_token_store.py covers an empty file.
    """
    global _sqlite_template
    if _sqlite_template is None:
        template = Path(tempfile.mkdtemp(prefix="app-tables-")) / "tables.sqlite3"
        engine = create_database_engine(f"sqlite:///{template}")
        create_schema(engine)
        engine.dispose()
        _sqlite_template = template
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


_sqlite_template: Path | None = None


def local_session() -> requests.Session:
    """A requests session for loopback servers: it never reads proxy settings from the environment
    (requests would scan the whole environment on every request)."""
    session = requests.Session()
    session.trust_env = False
    return session


@contextmanager
def running_stack(
    tmp_path: Path,
    *,
    auto_consent: bool = True,
    product_count: int = 300,
    run_jobs_here: bool = False,
    **settings_overrides: Any,
) -> Iterator[Stack]:
    """`run_jobs_here`: a background job (Sync now) runs in the request that queues it, not in a worker."""
    app_server = idle_app_server()
    pim_server = ServerThread(not_ready)
    if "database_url" not in settings_overrides:
        settings_overrides["database_url"] = sqlite_with_tables(tmp_path / "tokens.sqlite3")
{%- if cookiecutter.background_jobs %}
    settings_overrides.setdefault("jobs_queue_file", str(tmp_path / "jobs.sqlite3"))
{%- endif %}
    settings = make_settings(app_url=app_server.url, **settings_overrides)
    services = test_services(settings, run_jobs_here=run_jobs_here)
    store = services.store
    assert isinstance(store, SqlTokenStore)
    app_server.app = create_app(services=services)
    pim_clock = ManualClock(time.time())
    pim_server.wsgi_app = emulator_for(
        app_server.url, pim_server.url, pim_clock, auto_consent=auto_consent, product_count=product_count
    )
    stack = Stack(services, app_server.url, pim_server.url, store, pim_clock, app_server)
    try:
        with pim_server:
            yield stack
    finally:
        release_app_server(app_server)
    for engine in [store.engine, *stack._engines]:
        engine.dispose()
    if pim_server.idle:  # no request still running in it: the next stack may reuse its routes
        _idle_emulators.append(pim_server.wsgi_app)


@contextmanager
def app_alone(tmp_path: Path, **settings_overrides: Any) -> Iterator[str]:
    """The App over HTTP without any PIM; yields its URL."""
    if "database_url" not in settings_overrides:
        settings_overrides["database_url"] = sqlite_with_tables(tmp_path / "app.sqlite3")
    app_server = idle_app_server()
    app_server.app = create_app(services=test_services(make_settings(**settings_overrides)))
    try:
        yield app_server.url
    finally:
        release_app_server(app_server)


def idle_app_server() -> AppServer:
    """A running App server without an App: a finished stack's, or a new one.

    Stopping a server costs more than everything else in a stack (uvicorn's takes 0.2 s), so each test process
    keeps its servers running and hands them to the next stacks; each stack gives it an App of its own.
    """
    if _idle_app_servers:
        return _idle_app_servers.pop()
    server = AppServer()
    server.__enter__()
    return server


def release_app_server(server: AppServer) -> None:
    server.app = None  # until the next stack's App: 503 "starting"
    _idle_app_servers.append(server)


def test_services(settings: Settings, **overrides: Any) -> Services:
    """The App's services with the test limits and a quick backoff: retries still happen, quickly."""
    http = build_pim_session(exact_hosts(settings.allowed_pim_hosts), backoff_factor=0.01)
    return build_services(settings, limits=TEST_LIMITS, http=http, **overrides)


def emulator_for(
    app_url: str,
    pim_url: str,
    clock: ManualClock | None = None,
    *,
    auto_consent: bool = True,
    product_count: int = 300,
) -> Flask:
    """A PIM emulator at pim_url with the test App registered (its client ID, secret and URLs).

    A finished stack's emulator is reused with a new PIM loaded into it: same routes, fresh state.
    """
    config = EmulatorConfig(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        app_url=app_url,
        public_url=pim_url,
        auto_consent=auto_consent,
        product_count=product_count,
    )
    if not _idle_emulators:
        return create_emulator(config, clock)
    emulator = _idle_emulators.pop()
    load_pim(emulator, config, clock)
    return emulator


def not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """What a server answers until the app it will serve is built (it needs the server's URL first)."""
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
