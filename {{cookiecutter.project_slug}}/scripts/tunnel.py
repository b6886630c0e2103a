"""Open an HTTPS tunnel to the App with ngrok; print the URLs for the PIM's "Create an App" form.

Usage, from the project root: ``make tunnel`` (or ``.venv/bin/python scripts/tunnel.py``).

If an ngrok agent already runs a tunnel to the App's port, it is reused and the script exits.
Otherwise the script runs ``ngrok http PORT`` and keeps it running until Ctrl-C. Either way the
public URL is written to ``.env`` as ``APP_URL``.

Settings (environment first, then ``.env``): ``PORT`` (default {{ cookiecutter.port }}), ``NGROK_BIN`` (default
``ngrok`` on PATH), ``NGROK_API_URL`` (the agent's local API, default http://127.0.0.1:4040) and
``NGROK_START_TIMEOUT`` (seconds, default 20).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from dotenv import dotenv_values, set_key

from {{ cookiecutter.package_name }} import env_values
from {{ cookiecutter.package_name }}.env_values import SettingsError, read_environment

ENV_FILE = Path(".env")
DEFAULT_API_URL = "http://127.0.0.1:4040"
DEFAULT_START_TIMEOUT = 20.0
POLL_INTERVAL = 0.05  # while ngrok starts
EXIT_POLL_INTERVAL = 0.2  # while the tunnel runs: how soon ngrok's exit, or Ctrl-C, is noticed
STOP_TIMEOUT = 5.0
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"}  # noqa: S104 - names, not a bind
FORM_LOCATION = 'In the PIM: Connect > App Store > "Create an App" (or edit your Custom App).'
INSTALL_HELP = """\
ngrok is not installed (no "{bin}" found on PATH).
  1. Download it from https://ngrok.com/download and sign up for a free account.
  2. Run once: ngrok config add-authtoken <token>
     (your token: https://dashboard.ngrok.com/get-started/your-authtoken)
  3. Run make tunnel again. (NGROK_BIN=/path/to/ngrok points to an ngrok that is not on PATH.)"""
# Real ngrok logs "started tunnel ... addr=http://localhost:8000 url=https://....ngrok-free.app".
STARTED_TUNNEL = re.compile(r'msg="started tunnel".*?\baddr=(?P<addr>\S+).*?\burl=(?P<url>https://\S+)')


class AgentExitedError(RuntimeError):
    """The ngrok process ended before publishing the tunnel."""


def list_tunnels(api_url: str, timeout: float = 1.0) -> list[dict[str, Any]] | None:
    """The tunnels of the agent whose local API is at api_url; None when no agent answers."""
    session = requests.Session()
    session.trust_env = False  # a loopback API: never go through the user's HTTP proxy
    try:
        response = session.get(f"{api_url.rstrip('/')}/api/tunnels", timeout=timeout)
        response.raise_for_status()
        tunnels = response.json().get("tunnels")
    except (requests.RequestException, ValueError, AttributeError):
        return None
    finally:
        session.close()
    return [t for t in tunnels if isinstance(t, dict)] if isinstance(tunnels, list) else None


def addr_port(addr: str) -> int | None:
    """The local port a tunnel forwards to, when its address is on this machine.

    ngrok reports ``http://localhost:8000``, ``localhost:8000``, ``127.0.0.1:8000`` or ``8000``.
    """
    rest = addr.split("://", 1)[-1].rstrip("/")
    host, sep, port = rest.rpartition(":")
    if not sep:
        host, port = "", rest
    if host.lower() not in LOCAL_HOSTS or not port.isdigit():
        return None
    return int(port)


def pick_tunnel(tunnels: list[dict[str, Any]], port: int) -> str | None:
    """The public https URL of the first tunnel forwarding to the local port, if any."""
    for tunnel in tunnels:
        url = str(tunnel.get("public_url") or "")
        config = tunnel.get("config")
        addr = str(config.get("addr") or "") if isinstance(config, dict) else ""
        if url.startswith("https://") and addr_port(addr) == port:
            return url.rstrip("/")
    return None


def find_tunnel(api_url: str, port: int) -> str | None:
    """The public https URL of a running agent's tunnel to the local port, if any."""
    tunnels = list_tunnels(api_url)
    return pick_tunnel(tunnels, port) if tunnels else None


def tunnel_url_from_log(log: str, port: int) -> str | None:
    """The tunnel URL from ngrok's own log.

    Needed when another agent already holds the API port: ngrok then moves its API to 4041, 4042...
    """
    for match in STARTED_TUNNEL.finditer(log):
        if addr_port(match["addr"]) == port:
            return match["url"].rstrip("/")
    return None


def start_agent(ngrok_bin: str, port: int, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``ngrok http PORT`` with its output in log_path."""
    with log_path.open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - fixed arguments, ngrok resolved by shutil.which
            [ngrok_bin, "http", str(port), "--log", "stdout"],
            stdin=subprocess.DEVNULL,  # keeps ngrok's console UI off the terminal
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,  # Ctrl-C reaches only this script, which then stops ngrok itself
        )


def stop_agent(process: subprocess.Popen[bytes]) -> None:
    """Terminate ngrok, and kill it if it does not stop within a few seconds."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_exit(process: subprocess.Popen[bytes]) -> int:
    """ngrok's exit code once it exits; KeyboardInterrupt once Ctrl-C (or SIGTERM) asks the script to stop."""
    while (code := process.poll()) is None:
        pause(EXIT_POLL_INTERVAL)
    return code


# Set by Ctrl-C or SIGTERM. The signal handler only sets it, and the script stops at its next pause: a
# KeyboardInterrupt raised by the handler could land inside subprocess's own bookkeeping (Popen.wait holds a
# lock there that it would then never release), and stopping ngrok hung until a second Ctrl-C.
_stop_requested = False


def _request_stop(signum: int, frame: object) -> None:
    global _stop_requested
    _stop_requested = True


def pause(seconds: float = POLL_INTERVAL) -> None:
    """Wait a poll interval; KeyboardInterrupt if Ctrl-C was pressed."""
    if not _stop_requested:
        time.sleep(seconds)  # a signal interrupts it: the handler runs, then the sleep goes on
    if _stop_requested:
        raise KeyboardInterrupt


def read_log(log_path: Path, max_bytes: int = 64_000) -> str:
    """The end of ngrok's log."""
    try:
        with log_path.open("rb") as log:
            log.seek(max(0, log_path.stat().st_size - max_bytes))
            return log.read().decode("utf-8", "replace")
    except OSError:
        return ""


def log_tail(log_path: Path, lines: int = 15) -> str:
    tail = read_log(log_path).strip().splitlines()[-lines:]
    return "\n".join(f"  {line}" for line in tail) or "  (no output)"


def wait_for_tunnel(
    api_url: str, port: int, process: subprocess.Popen[bytes], timeout: float, log_path: Path
) -> str:
    """Poll the agent until its https tunnel to the port appears; return the public URL.

    Raises AgentExitedError if ngrok exits first and TimeoutError after timeout seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        url = find_tunnel(api_url, port) or tunnel_url_from_log(read_log(log_path), port)
        if url:
            return url
        if process.poll() is not None:
            raise AgentExitedError(f"ngrok exited with code {process.returncode}")
        if time.monotonic() >= deadline:
            raise TimeoutError(f"ngrok opened no tunnel to port {port} within {timeout:g} s")
        pause()


def is_local_url(url: str) -> bool:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def write_app_url(env_path: Path, url: str) -> str | None:
    """Set APP_URL in the .env file, keeping its other lines; return the previous value."""
    previous = dotenv_values(env_path).get("APP_URL") if env_path.exists() else None
    if not env_path.exists():
        env_path.touch(mode=0o600)  # older python-dotenv versions do not create the file
    set_key(env_path, "APP_URL", url, quote_mode="never")
    return previous


def pim_urls_changed(previous: str | None, url: str) -> bool:
    """Whether a Custom App created with the previous APP_URL now points to a dead tunnel."""
    return bool(previous and not is_local_url(previous) and previous.rstrip("/") != url.rstrip("/"))


def warn(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def announce(url: str, port: int, env_path: Path) -> None:
    """Print the URLs for the PIM's form and record the URL in .env."""
    print(f"\nPublic URL: {url}  ->  http://localhost:{port}\n")
    print("Paste into the PIM's Create an App form:")
    print(f"  Activate URL: {url}/activate")
    print(f"  Callback URL: {url}/callback")
    print(FORM_LOCATION)
    print()
    previous = write_app_url(env_path, url)
    if previous != url:
        print(f"Wrote APP_URL={url} to {env_path}; restart the App if it is running.")
    if pim_urls_changed(previous, url):
        warn(
            f"WARNING: the public URL changed (it was {previous}).\n"
            "  A Custom App created with the old URL no longer reaches this App. In the PIM, set\n"
            f"  its Activate URL to {url}/activate\n"
            f"  and its Callback URL to {url}/callback\n"
            "  (or delete it, create it again and copy the new credentials into .env),\n"
            "  then restart the App so it uses the new APP_URL."
        )
    env_url = os.environ.get("APP_URL")
    if env_url and env_url != url:
        warn(f"WARNING: APP_URL={env_url} is set in your environment and wins over .env: unset it.")
    print(
        'ngrok\'s free plan shows a warning page on the first visit from a browser: click "Visit Site" once.'
    )
    print(f"The App must be listening on port {port} (make run in another terminal).")


def hint_for(output: str) -> str:
    if "ERR_NGROK_4018" in output or "authtoken" in output:
        return (
            "ngrok needs your account's authtoken: ngrok config add-authtoken <token>\n"
            "(your token: https://dashboard.ngrok.com/get-started/your-authtoken)"
        )
    if "ERR_NGROK_108" in output:
        return "Your ngrok plan allows one agent at a time: stop the other one, or reuse it."
    return ""


def main() -> int:
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # lines show at once even when piped
    # SIGTERM stops it as Ctrl-C does; and Ctrl-C works even when started from a shell that ignores it for
    # background jobs (Python would then ignore it too).
    signal.signal(signal.SIGTERM, _request_stop)
    signal.signal(signal.SIGINT, _request_stop)
    env = read_environment(ENV_FILE)
    try:
        port = env_values.port(env)
        start_timeout = env_values.seconds(env, "NGROK_START_TIMEOUT", DEFAULT_START_TIMEOUT, 0.1, 3600)
    except SettingsError as error:
        warn(f"Bad setting: {error}")
        return 1
    api_url = env_values.text(env, "NGROK_API_URL", DEFAULT_API_URL).rstrip("/")
    ngrok_name = env_values.text(env, "NGROK_BIN", "ngrok")

    tunnels = list_tunnels(api_url)
    url = pick_tunnel(tunnels or [], port)
    if url:
        print(f"Reusing the ngrok agent already running (inspect requests at {api_url}).")
        announce(url, port, ENV_FILE)
        return 0
    if tunnels:
        others = ", ".join(str((t.get("config") or {}).get("addr", "?")) for t in tunnels)
        print(f"An ngrok agent is already running, with tunnels to other ports ({others}).")

    ngrok_bin = shutil.which(ngrok_name)
    if ngrok_bin is None:
        warn(INSTALL_HELP.format(bin=ngrok_name))
        return 1

    fd, log_name = tempfile.mkstemp(prefix="ngrok-", suffix=".log")
    os.close(fd)
    log_path = Path(log_name)
    if _stop_requested:  # Ctrl-C while the running agents were listed
        return 0
    print(f"Starting ngrok http {port}...")
    process = start_agent(ngrok_bin, port, log_path)
    try:
        try:
            url = wait_for_tunnel(api_url, port, process, start_timeout, log_path)
        except (AgentExitedError, TimeoutError) as error:
            warn(f"{error}. Its output:\n{log_tail(log_path)}")
            if hint := hint_for(read_log(log_path)):
                warn(hint)
            return 1
        announce(url, port, ENV_FILE)
        print("\nngrok is running. Press Ctrl-C to stop it.")
        code = wait_for_exit(process)
        warn(f"ngrok exited (code {code}): the tunnel is closed. Its output:\n{log_tail(log_path)}")
        return 1
    except KeyboardInterrupt:
        print("\nStopping ngrok.")
        return 0
    finally:
        stop_agent(process)
        log_path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
