"""Run the App and the local PIM emulator together, one output with a prefix per process (make dev).

Usage, from the project root: ``.venv/bin/python scripts/dev.py [-f Procfile.dev] [NAME ...]``.

The processes come from a Procfile-style file: one ``name: command`` a line, ``#`` comments and
blank lines ignored. Commands run through ``/bin/sh`` with the current environment; a command
starting with ``python`` runs with this script's interpreter, so the project's virtualenv is used.
Ctrl-C stops them all. When one stops by itself, the others are stopped and its exit code is ours.

``--reload NAME=DIR`` restarts only process NAME when a file under DIR changes (``make dev`` reloads the
App on changes under ``src/``). The other processes keep running: the local PIM emulator keeps its
connection and tokens, and the App its token store, so the App stays connected across code changes.

POSIX only (Linux, macOS, WSL): processes are stopped by process group.

Why not honcho or foreman: they give each process its own ``PORT`` (5000, 5100...), which overrides
the ``PORT`` the App reads from ``.env``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from {{ cookiecutter.package_name }} import env_values
from {{ cookiecutter.package_name }}.env_values import SettingsError, read_environment
from {{ cookiecutter.package_name }}.tunnel_status import NGROK_API_URL, stale_tunnel_warning

STOP_TIMEOUT = 5.0
POLL_SECONDS = 0.5
WATCHED_SUFFIXES = (".py", ".html", ".css", ".js", ".json", ".toml")
RUNNER = "dev"
COLORS = ("36", "33", "32", "35", "34", "31")  # ANSI cyan, yellow, green, magenta, blue, red
ENTRY = re.compile(r"^(?P<name>[A-Za-z0-9_.-]+)\s*:\s*(?P<command>.*?)\s*$")
PYTHON = re.compile(r"^python3?(?=\s|$)")


class ProcfileError(Exception):
    """The Procfile is missing, empty or malformed."""


@dataclass
class Process:
    name: str
    command: str
    popen: subprocess.Popen[bytes] | None = None
    reader: threading.Thread | None = field(default=None, repr=False)
    watch: Path | None = None  # restart this process when a file under it changes
    waiting: bool = False  # a watched process that ended, waiting for the next change to start again
    seen: dict[Path, float] = field(default_factory=dict, repr=False)


def snapshot(folder: Path) -> dict[Path, float]:
    """Modification times of the source files under folder (caches and hidden folders left out)."""
    times: dict[Path, float] = {}
    for path in folder.rglob("*"):
        if path.suffix not in WATCHED_SUFFIXES or "__pycache__" in path.parts:
            continue
        with contextlib.suppress(OSError):  # removed between listing and stat
            times[path] = path.stat().st_mtime
    return times


def changed_file(process: Process) -> Path | None:
    """A file under the process's watched folder that changed since the last look, if any."""
    if process.watch is None:
        return None
    now = snapshot(process.watch)
    before, process.seen = process.seen, now
    changed = [path for path in now.keys() | before.keys() if now.get(path) != before.get(path)]
    return sorted(changed)[0] if changed else None


def parse_procfile(path: Path) -> dict[str, str]:
    """The entries of a Procfile, name to command, in file order."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProcfileError(f"cannot read {path}: {error.strerror or error}") from None
    entries: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = ENTRY.match(line.strip())
        if not match or not match["command"]:
            raise ProcfileError(f"{path}:{number}: expected 'name: command', got {line.strip()!r}")
        if match["name"] in entries:
            raise ProcfileError(f"{path}:{number}: {match['name']!r} is defined twice")
        entries[match["name"]] = match["command"]
    if not entries:
        raise ProcfileError(f"{path} has no 'name: command' entries")
    return entries


def shell_command(command: str) -> str:
    """The command with a leading ``python`` replaced by this interpreter (the virtualenv's)."""
    return PYTHON.sub(lambda _: shlex.quote(sys.executable), command, count=1)


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")  # https://no-color.org


def prefixes(names: list[str], color: bool) -> dict[str, str]:
    """``name | `` for each name, padded to the same width, in colour if asked."""
    width = max(len(name) for name in names)
    result = {}
    for index, name in enumerate(names):
        prefix = name.ljust(width) + " | "
        if color:
            prefix = f"\033[{COLORS[index % len(COLORS)]}m{prefix}\033[0m"
        result[name] = prefix
    return result


class Output:
    """Whole lines from every process to stdout, each with its prefix, never interleaved."""

    def __init__(self, prefixes: dict[str, str], stream: IO[str]) -> None:
        self.prefixes = prefixes
        self.stream = stream
        self.lock = threading.Lock()

    def line(self, name: str, text: str) -> None:
        with self.lock:
            self.stream.write(f"{self.prefixes[name]}{text}\n")
            self.stream.flush()

    def pump(self, name: str, pipe: IO[bytes]) -> None:
        """Copy a process's output, line by line, until it closes the pipe."""
        with pipe:
            for raw in pipe:
                self.line(name, raw.decode("utf-8", "replace").rstrip("\r\n"))


def banner(output: Output, names: list[str], procfile: Path) -> None:
    env = read_environment(".env")
    try:
        app_url = env_values.app_url(env)
        pim_port = env_values.port(env, "PIM_EMULATOR_PORT", env_values.DEFAULT_PIM_EMULATOR_PORT)
    except SettingsError as error:
        # The App and the emulator say the same as they start; the banner only must not hide it.
        output.line(RUNNER, f"Bad setting: {error}")
        return
    warning = stale_tunnel_warning(app_url, env_values.text(env, "NGROK_API_URL", NGROK_API_URL))
    if warning:
        output.line(RUNNER, f"WARNING: {warning}")
    for text in (
        f"Running {', '.join(names)} from {procfile}. Ctrl-C stops them all.",
        f"  The App:       {app_url.rstrip('/')}/",
        f"  Local PIM:     http://localhost:{pim_port}/connect/app-store",
        "  Open the PIM's App Store and click Connect on the App.",
    ):
        output.line(RUNNER, text)


def start(process: Process, output: Output) -> None:
    process.waiting = False
    # PYTHONUNBUFFERED: Python buffers output to a pipe, which would hold log lines back.
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process.popen = subprocess.Popen(  # noqa: S602 - the developer's own Procfile, like honcho
        shell_command(process.command),
        shell=True,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        process_group=0,  # Ctrl-C reaches the runner only; it stops each group, helpers included
    )
    assert process.popen.stdout is not None  # noqa: S101 - always set with stdout=PIPE
    process.reader = threading.Thread(
        target=output.pump, args=(process.name, process.popen.stdout), daemon=True
    )
    process.reader.start()


def signal_group(process: Process, signum: int) -> None:
    if process.popen is not None:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group has gone
            os.killpg(process.popen.pid, signum)


def stop_all(processes: list[Process], timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM every process group, then SIGKILL what is left after the timeout."""
    for process in processes:
        signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for process in processes:
        if process.popen is None:
            continue
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.popen.wait(max(0.0, deadline - time.monotonic()))
    for process in processes:
        # The group may outlive its leader (a reloader's child, for instance).
        signal_group(process, signal.SIGKILL)
        if process.popen is not None:
            process.popen.wait()
    for process in processes:
        if process.reader is not None:
            process.reader.join(1.0)


def restart(process: Process, output: Output, changed: Path) -> None:
    """Stop the process's group and start it again (its neighbours keep running)."""
    output.line(RUNNER, f"{changed} changed: restarting {process.name}.")
    stop_all([process])
    start(process, output)


def describe(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def run(processes: list[Process], output: Output) -> int:
    """Start the processes and supervise them; return the runner's exit code."""
    stop_signal: list[int] = []

    def on_signal(signum: int, frame: object) -> None:
        stop_signal.append(signum)

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for process in processes:
            if not stop_signal:
                if process.watch is not None:
                    process.seen = snapshot(process.watch)
                start(process, output)
        next_look = time.monotonic() + POLL_SECONDS
        while not stop_signal:
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + POLL_SECONDS
                for process in processes:
                    changed = changed_file(process)
                    if changed is not None:
                        restart(process, output, changed)
            ended = next(
                (p for p in processes if p.popen and not p.waiting and p.popen.poll() is not None), None
            )
            if ended is not None and ended.popen is not None:
                code = ended.popen.returncode
                if ended.reader is not None:
                    ended.reader.join(1.0)  # its last lines (a traceback, say) come before ours
                if ended.watch is not None:
                    # A typo in the App must not stop the emulator: wait for the fix instead.
                    again = f"it starts again when a file under {ended.watch} changes"
                    output.line(RUNNER, f"{ended.name} {describe(code)}; {again}.")
                    stop_all([ended])  # whatever it left running in its group
                    ended.waiting = True
                    continue
                others = " Stopping the others." if len(processes) > 1 else ""
                output.line(RUNNER, f"{ended.name} {describe(code)}.{others}")
                stop_all(processes)
                return code if code >= 0 else 128 - code
            time.sleep(0.05)
        output.line(RUNNER, f"{signal.Signals(stop_signal[0]).name}: stopping everything.")
        stop_all(processes)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def parse_reloads(values: list[str]) -> dict[str, Path]:
    """``NAME=DIR`` options as {name: folder}; the folder must exist."""
    watches = {}
    for value in values:
        name, separator, folder = value.partition("=")
        if not separator or not name or not folder:
            raise ProcfileError(f"--reload expects NAME=DIR, got {value!r}")
        if not Path(folder).is_dir():
            raise ProcfileError(f"--reload {value}: {folder} is not a folder")
        watches[name] = Path(folder)
    return watches


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "-f",
        "--procfile",
        type=Path,
        default=Path("Procfile.dev"),
        help="the Procfile to run (default: Procfile.dev)",
    )
    parser.add_argument(
        "--reload",
        action="append",
        default=[],
        metavar="NAME=DIR",
        help="restart process NAME when a file under DIR changes (repeatable)",
    )
    parser.add_argument("names", nargs="*", metavar="NAME", help="run only these processes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        entries = parse_procfile(args.procfile)
        watches = parse_reloads(args.reload)
        unknown = [name for name in [*args.names, *watches] if name not in entries]
        if unknown:
            raise ProcfileError(
                f"no process named {', '.join(unknown)} in {args.procfile} (it has: {', '.join(entries)})"
            )
    except ProcfileError as error:
        print(f"dev.py: {error}", file=sys.stderr)
        return 2
    names = [name for name in entries if not args.names or name in args.names]
    processes = [Process(name, entries[name], watch=watches.get(name)) for name in names]
    output = Output(prefixes([*names, RUNNER], use_color()), sys.stdout)
    banner(output, names, args.procfile)
    return run(processes, output)


if __name__ == "__main__":
    sys.exit(main())
