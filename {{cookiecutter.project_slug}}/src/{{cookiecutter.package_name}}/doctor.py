"""`python -m <package> doctor`: everything that commonly stops an App from working, checked one line each.

The settings and keys, the database, then for each connected PIM: reachable, token accepted, scopes granted
versus asked, clock skew; and APP_URL versus the running tunnel. A failed check says how to fix it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path

from . import env_values
from .database import DatabaseError
from .env_values import is_local_url
{%- if cookiecutter.background_jobs %}
from .jobs import SyncJobs
{%- endif %}
from .pim_api import PRODUCTS_UUID_PATH
from .pim_http import PimCallError, send
from .scopes import missing_scopes
from .services import Services, build_services
from .settings import is_weak_secret_key, load_settings
from .token_store import Connection
from .tunnel_status import NGROK_API_URL, live_tunnel_urls

MAX_CLOCK_SKEW = 60  # seconds; more, and an OpenID token's time checks start to fail
PROBE_SECONDS = 10.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def diagnose(environ: Mapping[str, str], env_file: Path = Path(".env")) -> Iterator[Check]:
    """Every check, in order; stops early only when a later check cannot run."""
    if env_file.is_file():
        yield Check(".env", True, f"{env_file} found")
    else:
        yield Check(".env", False, f"{env_file} is missing", "run make install (it writes one with new keys)")
    try:
        settings = load_settings(environ)
    except env_values.SettingsError as error:
        yield Check("settings", False, str(error), "set it in .env or the environment, then run doctor again")
        return
    yield Check("settings", True, f"client ID {settings.client_id}, {len(settings.scopes)} scope(s) asked")
    if not env_values.text(environ, "SECRET_KEY"):
        yield Check(
            "SECRET_KEY",
            False,
            "empty: each process makes its own, so several workers refuse each other's sessions",
            "run make install (it writes one), or set a strong SECRET_KEY",
        )
    elif is_weak_secret_key(settings.secret_key):
        yield Check(
            "SECRET_KEY", False, "too weak for an App outside localhost", "set 32 or more random characters"
        )
    else:
        yield Check("SECRET_KEY", True, "set and strong")
    try:
        services = build_services(settings)
    except DatabaseError as error:
        yield Check("database", False, str(error), "start the database, or fix DATABASE_URL")
        return
    yield Check("database", True, services.engine.url.render_as_string(hide_password=True))
    yield from check_pims(services)
{%- if cookiecutter.background_jobs %}
    yield check_job_queue(services)
{%- endif %}
    yield check_tunnel(settings.app_url, env_values.text(environ, "NGROK_API_URL", NGROK_API_URL))
    services.engine.dispose()


{% if cookiecutter.background_jobs -%}
def check_job_queue(services: Services) -> Check:
    """The background jobs' queue answers (Redis up, the SQLite file writable), and how many jobs wait."""
    jobs = services.queue
    if not isinstance(jobs, SyncJobs):
        return Check("job queue", False, "the App's services have no job queue", "use build_services")
    try:
        waiting = jobs.waiting()
    except Exception as error:  # redis-py's and sqlite3's errors alike: the queue cannot serve
        return Check(
            "job queue",
            False,
            f"{jobs.where} does not answer ({type(error).__name__}: {str(error)[:200]})",
            "start Redis or fix REDIS_URL; or empty REDIS_URL to use a SQLite file on this machine",
        )
    return Check("job queue", True, f"{jobs.where}, {waiting} job(s) waiting for a worker")


{% endif -%}
def check_pims(services: Services) -> Iterator[Check]:
    connections = services.store.all()
    if not connections:
        yield Check("PIMs", True, "none connected yet (make dev, then Connect in the emulator's App Store)")
    for connection in connections:
        yield from check_pim(services, connection)


def check_pim(services: Services, connection: Connection) -> Iterator[Check]:
    name = connection.pim_url
    reconnect = "open the App from the PIM (Connected Apps > Open app), or Connect it again"
    if not connection.is_connected:
        yield Check(name, False, "disconnected: the PIM revoked or replaced the App's token", reconnect)
        return
    started = time.time()
    try:
        reply = send(
            services.http,
            "GET",
            f"{name}{PRODUCTS_UUID_PATH}",
            seconds=PROBE_SECONDS,
            max_bytes=1024 * 1024,
            params={"limit": 1},
            headers={"Authorization": f"Bearer {connection.access_token}", "Accept": "application/json"},
        )
    except PimCallError as error:
        yield Check(name, False, f"unreachable: {error.message}", "check the PIM's address and this network")
        return
    if reply.status == 401:
        yield Check(name, False, "reachable, but the token is refused", reconnect)
    elif reply.status == 403:
        yield Check(
            name, False, "reachable, token accepted, but listing products is forbidden", "ask read_products"
        )
    else:
        yield Check(name, True, f"reachable, token accepted (HTTP {reply.status})")
    missing = missing_scopes(services.settings.scopes, connection.scopes)
    if missing:
        yield Check(
            f"{name} scopes",
            False,
            f"asked but not granted: {' '.join(missing)}",
            "open the App from the PIM as a user who may manage Apps, and accept the new permissions",
        )
    else:
        yield Check(f"{name} scopes", True, "every scope asked is granted")
    yield check_clock(name, reply.headers.get("Date"), (started + time.time()) / 2)


def check_clock(name: str, date_header: str | None, now: float) -> Check:
    try:
        skew = abs(parsedate_to_datetime(date_header or "").timestamp() - now)
    except (TypeError, ValueError):
        return Check(f"{name} clock", True, "the PIM sends no Date header to compare with")
    if skew > MAX_CLOCK_SKEW:
        return Check(
            f"{name} clock",
            False,
            f"{skew:.0f} s apart from the PIM's",
            "synchronise this machine's clock (NTP)",
        )
    return Check(f"{name} clock", True, f"within {skew:.0f} s of the PIM's")


def check_tunnel(app_url: str, api_url: str) -> Check:
    if is_local_url(app_url):
        return Check("APP_URL", True, f"{app_url} (local: fine with the emulator or a PIM on this machine)")
    live = live_tunnel_urls(api_url)
    if live is None:
        return Check("APP_URL", True, f"{app_url} (no ngrok agent running: fine for a deployed App)")
    if app_url in live:
        return Check("APP_URL", True, f"{app_url} is served by the running tunnel")
    return Check(
        "APP_URL",
        False,
        f"{app_url} is not served by the running tunnel ({', '.join(sorted(live)) or 'none'})",
        "run make tunnel: it writes the tunnel's URL into .env; then update the URLs in the PIM",
    )
