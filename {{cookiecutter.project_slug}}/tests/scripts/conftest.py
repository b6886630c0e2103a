"""Fixtures for the developer scripts' tests: live subprocesses whose output can be awaited."""

import contextlib
import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
SCRIPTS = PROJECT / "scripts"


class LiveProcess:
    """A subprocess whose stdout and stderr are read as they come, so tests can wait for a line."""

    def __init__(self, args, cwd, env):
        self.proc = subprocess.Popen(
            [str(arg) for arg in args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.pid = self.proc.pid
        self._chunks = {"out": [], "err": [], "all": []}
        self._changed = threading.Condition()
        self._readers = [
            threading.Thread(target=self._read, args=(self.proc.stdout, "out"), daemon=True),
            threading.Thread(target=self._read, args=(self.proc.stderr, "err"), daemon=True),
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream, name):
        for line in stream:
            with self._changed:
                self._chunks[name].append(line)
                self._chunks["all"].append(line)
                self._changed.notify_all()

    @property
    def out(self):
        return "".join(self._chunks["out"])

    @property
    def err(self):
        return "".join(self._chunks["err"])

    @property
    def output(self):
        """stdout and stderr interleaved as they arrived."""
        return "".join(self._chunks["all"])

    # Generous limits: they only bound a failing test, and other runs may share the machine's cores.
    def wait_for(self, pattern, timeout=60):
        """The first match of pattern in the output; fails if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                if match := re.search(pattern, self.output):
                    return match
                finished = self.proc.poll() is not None and not any(r.is_alive() for r in self._readers)
                left = deadline - time.monotonic()
                if finished or left <= 0:
                    state = f"exited with {self.proc.returncode}" if finished else "still running"
                    pytest.fail(f"no {pattern!r} in the output ({state}):\n{self.output}")
                self._changed.wait(min(left, 0.1))

    def wait(self, timeout=60):
        """The exit code, once the process has ended and its output is all read."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running after {timeout} s:\n{self.output}")
        for reader in self._readers:
            reader.join(timeout)
        return code

    def ended_within(self, timeout):
        """Whether the process ends within timeout seconds (it is left running otherwise)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def interrupt(self):
        """What Ctrl-C does to the script (its children have their own process group)."""
        self.proc.send_signal(signal.SIGINT)

    def stop(self):
        """Terminate (so the script can stop its own children), then kill."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc.wait()


def pid_alive(pid):
    """Whether a process exists and is not a zombie waiting for its parent."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        # The state follows the ")" that ends the command name in /proc/PID/stat.
        if Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] == "Z":
            return False
    return True


def wait_until_gone(pid, timeout=30):
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


@pytest.fixture
def spawn():
    """Start LiveProcesses; any still running at the end of the test is killed."""
    started = []

    def start(args, cwd, env):
        process = LiveProcess(args, cwd, env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def pid_gone():
    """wait_until_gone(pid, timeout=30) -> bool: whether the process ended within the timeout."""
    return wait_until_gone


@pytest.fixture
def reaper():
    """A list of pid files (one pid a line): what they name is killed after the test.

    A safety net: should the code under test leak a child, the next tests do not inherit it.
    """
    pidfiles = []
    yield pidfiles
    for pidfile in pidfiles:
        for pid in pidfile.read_text().split() if pidfile.exists() else []:
            with contextlib.suppress(OSError):
                os.kill(int(pid), signal.SIGKILL)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def base_env():
    """The current environment without the settings the scripts read, and with unbuffered Pythons."""
    env = dict(os.environ)
    for name in (
        "PORT",
        "APP_URL",
        "PIM_EMULATOR_PORT",
        "NGROK_BIN",
        "NGROK_API_URL",
        "NGROK_START_TIMEOUT",
        "NO_COLOR",
    ):
        env.pop(name, None)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class FakeNgrok:
    """The stand-in ``ngrok`` in its own folder, and the environment that puts it first on PATH.

    The agent API goes to a free port so that a real ngrok running on this machine is never touched.
    """

    def __init__(self, folder, base_env):
        self.bin_dir = folder / "bin"
        self.program = self.bin_dir / "ngrok"
        self.pidfile = folder / "ngrok.pids"
        self.api_url = f"http://127.0.0.1:{free_port()}"
        self.env = {
            **base_env,
            "PATH": f"{self.bin_dir}{os.pathsep}{base_env.get('PATH', '')}",
            "NGROK_API_URL": self.api_url,
            "FAKE_NGROK_API_PORT": self.api_url.rpartition(":")[2],
            "FAKE_NGROK_PIDFILE": str(self.pidfile),
        }
        self.bin_dir.mkdir()
        source = (Path(__file__).parent / "fake_ngrok.py").read_text()
        self.program.write_text(f"#!{sys.executable}\n{source}")
        self.program.chmod(0o755)

    def pids(self):
        """The pids of every stand-in started so far, in order."""
        return [int(line) for line in self.pidfile.read_text().split()] if self.pidfile.exists() else []


@pytest.fixture
def fake_ngrok(tmp_path, base_env, reaper):
    fake = FakeNgrok(tmp_path, base_env)
    reaper.append(fake.pidfile)
    return fake


def load_script(name):
    """scripts/NAME.py imported by path (the scripts folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tunnel_module():
    return load_script("tunnel")


@pytest.fixture(scope="session")
def dev_module():
    return load_script("dev")
