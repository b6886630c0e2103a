"""The project's commands, whatever the web framework: `python -m <package> <command>`.

Each command is a function of the parsed arguments and the App's services; a new one is a function and a
`commands.add_parser` line in `build_parser`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .doctor import diagnose
from .env_file import ensure_env_file
from .env_values import read_environment
{%- if cookiecutter.background_jobs %}
from .jobs import SyncJobs
{%- endif %}
from .pim_api import PimApiClient, PimApiError
from .product_sync import SyncFailed, sync_pim
from .products import summarize
from .services import Services
from .startup import StartupError, start
from .sync_progress import BarProgress, LogProgress, Progress
from .sync_store import SyncBusy
from .token_cipher import UndecryptableToken


class CommandError(Exception):
    """What went wrong, for the person at the terminal: printed without a traceback, exit status 1."""


def init_env(args: argparse.Namespace, _: Callable[[], Services]) -> None:
    filled = ensure_env_file(Path(args.env), Path(args.example))
    if filled:
        print(f"{args.env}: wrote new {', '.join(filled)}")
    else:
        print(f"{args.env}: already complete, nothing changed")


def products(args: argparse.Namespace, services: Callable[[], Services]) -> None:
    """Print the first products of a connected PIM, using the stored token."""
    app = services()
    try:
        connected = [c for c in app.store.all() if c.is_connected]
    except UndecryptableToken as error:
        raise CommandError(f"{error}: restore the key, or reconnect the PIM.") from error
    if args.pim_url:
        connected = [c for c in connected if c.pim_url == args.pim_url.rstrip("/")]
    if not connected:
        where = f" at {args.pim_url}" if args.pim_url else ""
        raise CommandError(
            f"No connected PIM{where}. "
            "Connect the App from the PIM first (make dev, then Connect in the App Store)."
        )
    if len(connected) > 1:
        urls = ", ".join(c.pim_url for c in connected)
        raise CommandError(f"Several PIMs are connected ({urls}); choose one with --pim-url.")
    connection = connected[0]
    client = PimApiClient(app.http, connection.pim_url, connection.access_token, app.limits.command_seconds)
    try:
        page = client.first_products(args.limit)
    except PimApiError as error:
        raise CommandError(f"{connection.pim_url}: {error}") from error
    print(f"{connection.pim_url} ({page.endpoint}), {len(page.items)} product(s):")
    for product in map(summarize, page.items):
        print(f"  {product.key}  {product.family:<16}  {product.label}")


def sync(args: argparse.Namespace, services: Callable[[], Services]) -> None:
    """Copy the products of each connected PIM (or the one named) into the App's database."""
    app = services()
    try:
        pim_urls = [c.pim_url for c in app.store.all() if c.is_connected]
    except UndecryptableToken as error:
        raise CommandError(f"{error}: restore the key, or reconnect the PIM.") from error
    if args.pim:
        pim_urls = [url for url in pim_urls if url == args.pim.rstrip("/")]
    if not pim_urls:
        where = f" at {args.pim}" if args.pim else ""
        raise CommandError(f"No connected PIM{where}. Connect the App from the PIM first.")
    failed = []
    for pim_url in pim_urls:
        # A bar for a person at a terminal; log lines in a pipe, a log file or a container.
        progress: Progress = BarProgress(sys.stderr) if sys.stderr.isatty() else LogProgress()
        try:
            report = sync_pim(app, pim_url, full=args.full, progress=progress)
        except (SyncBusy, SyncFailed) as error:
            print(f"{pim_url}: {error}", file=sys.stderr)
            failed.append(pim_url)
            continue
        kind = "full" if report.full else "incremental"
        resumed = " (resumed)" if report.resumed else ""
        in_app = app.sync_store.status(pim_url).products
        print(
            f"{pim_url}: {kind} sync{resumed}, {report.written:,} products written, "
            f"{report.removed:,} removed, {report.seconds:.1f} s; {in_app:,} products in the App"
        )
    if failed:
        raise CommandError(f"the sync of {', '.join(failed)} did not complete; it resumes on the next run")


{% if cookiecutter.background_jobs -%}
def worker(args: argparse.Namespace, services: Callable[[], Services]) -> None:
    """Run the background jobs: syncs asked from the dashboard and the periodic sync of every PIM."""
    jobs = services().queue
    if not isinstance(jobs, SyncJobs):
        raise CommandError("the App's services have no background jobs queue")
    resumed = jobs.resume_interrupted()
    if resumed:
        print(f"Resuming the interrupted sync of {', '.join(resumed)}", file=sys.stderr)
    jobs.run_worker(args.workers)


def worker_count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 32:
        raise argparse.ArgumentTypeError("a number from 1 to 32")
    return int(text)


{% endif -%}
def rotate_token_key(_: argparse.Namespace, services: Callable[[], Services]) -> None:
    """Re-encrypt every stored token with the first key of TOKEN_ENCRYPTION_KEY."""
    try:
        count = services().store.reencrypt_all()
    except UndecryptableToken as error:
        raise CommandError(
            f"{error}. Keep the old key in TOKEN_ENCRYPTION_KEY (after the new one) until this succeeds."
        ) from error
    print(f"Re-encrypted {count} token(s) with the first key of TOKEN_ENCRYPTION_KEY.")


def doctor(args: argparse.Namespace, _: Callable[[], Services]) -> None:
    """Check the settings, the database, each connected PIM and the tunnel; one line each."""
    failed = 0
    for check in diagnose(read_environment(args.env), Path(args.env)):
        print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        if not check.ok:
            print(f"      fix: {check.fix}")
            failed += 1
    if failed:
        raise CommandError(f"{failed} check(s) failed; each says how to fix it above")


def page_size(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError("a number from 1 to 100")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m {{ cookiecutter.package_name }}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    command = commands.add_parser("products", help="print the first products of the connected PIM")
    command.add_argument("--pim-url", help="which connected PIM (needed when several are connected)")
    command.add_argument("--limit", type=page_size, default=10, help="how many products, 1 to 100 (10)")
    command.set_defaults(run=products)

    command = commands.add_parser("sync", help="copy the products of the connected PIMs into the database")
    command.add_argument("--pim", help="only this connected PIM")
    command.add_argument(
        "--full", action="store_true", help="read every product and remove those the PIM no longer has"
    )
    command.set_defaults(run=sync)
{% if cookiecutter.background_jobs %}
    command = commands.add_parser("worker", help="run the background jobs (syncs), on SQLite or REDIS_URL")
    command.add_argument("--workers", type=worker_count, default=2, help="jobs at once, 1 to 32 (2)")
    command.set_defaults(run=worker)
{% endif %}
    command = commands.add_parser(
        "rotate-token-key", help="re-encrypt every stored token with the first key of TOKEN_ENCRYPTION_KEY"
    )
    command.set_defaults(run=rotate_token_key)

    command = commands.add_parser("doctor", help="check settings, database, connected PIMs and the tunnel")
    command.add_argument("--env", default=".env")
    command.set_defaults(run=doctor)

    command = commands.add_parser(
        "init-env", help="create .env from .env.example with new keys, or fill the empty keys of .env"
    )
    command.add_argument("--env", default=".env")
    command.add_argument("--example", default=".env.example")
    command.set_defaults(run=init_env)
    return parser


def main(argv: Sequence[str] | None = None, services: Services | None = None) -> int:
    """Run one command; `services` lets tests hand in their own, else they are built from the settings."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage; say it as an exit status
        return int(exit_.code or 0)
    built: list[Services] = [services] if services else []

    def get_services() -> Services:
        # Built on first use: init-env must run before any setting exists.
        if not built:
            built.append(start())
        return built[0]

    try:
        args.run(args, get_services)
    except StartupError as error:
        print(error, file=sys.stderr)
        return 2
    except CommandError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0
