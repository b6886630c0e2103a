"""scripts/tunnel.py, run as `make tunnel` runs it, against a stand-in ngrok (see fake_ngrok.py)."""

import os
import re
import signal
import sys
from pathlib import Path

import pytest

TUNNEL = Path(__file__).resolve().parents[2] / "scripts" / "tunnel.py"
URL = r"https://[0-9a-f]+\.ngrok-free\.app"
RUNNING = "Press Ctrl-C to stop it"


@pytest.fixture
def project(tmp_path):
    """The folder the script runs in, as the project root."""
    folder = tmp_path / "project"
    folder.mkdir()
    return folder


@pytest.fixture
def run_tunnel(spawn, project, fake_ngrok):
    def run(**settings):
        return spawn([sys.executable, TUNNEL], project, {**fake_ngrok.env, **settings})

    return run


@pytest.fixture
def stop_cleanly(fake_ngrok, pid_gone):
    """Ctrl-C the script; it exits 0 and the ngrok it started is gone."""

    def stop(script):
        (ngrok_pid,) = fake_ngrok.pids()[-1:]
        script.interrupt()
        if not script.ended_within(30):
            # A safety net: before the handler only set a flag, a Ctrl-C could hang the stop (see tunnel.py).
            script.interrupt()
        assert script.wait() == 0, script.output
        assert pid_gone(ngrok_pid), "the script left ngrok running"

    return stop


@pytest.fixture
def running_agent(spawn, project, fake_ngrok):
    """A stand-in agent started beforehand, as a user would with `ngrok http PORT`: start(port) -> URL."""

    def start(port):
        agent = spawn([fake_ngrok.program, "http", str(port)], project, fake_ngrok.env)
        return agent.wait_for(rf'msg="started tunnel".* url=({URL})')[1]

    return start


def test_starts_the_agent_and_prints_both_urls(run_tunnel, stop_cleanly):
    script = run_tunnel(PORT="8000")
    url = script.wait_for(rf"Activate URL: ({URL})/activate")[1]
    script.wait_for(RUNNING)

    assert f"Public URL: {url}" in script.out
    assert f"Callback URL: {url}/callback" in script.out
    assert 'Connect > App Store > "Create an App"' in script.out
    assert script.out.count("Visit Site") == 1
    stop_cleanly(script)


def test_writes_app_url_to_dotenv_keeping_other_lines(project, run_tunnel, stop_cleanly):
    env_file = project / ".env"
    env_file.write_text(
        "# Credentials from the PIM\n"
        "AKENEO_CLIENT_ID=abc\n"
        "APP_URL=http://localhost:8000\n"
        "\n"
        "# Local port\n"
        "PORT=8000\n"
    )
    script = run_tunnel()
    url = script.wait_for(rf"Public URL: ({URL})")[1]
    script.wait_for(RUNNING)

    assert env_file.read_text() == (
        f"# Credentials from the PIM\nAKENEO_CLIENT_ID=abc\nAPP_URL={url}\n\n# Local port\nPORT=8000\n"
    )
    stop_cleanly(script)


def test_creates_dotenv_when_missing(project, run_tunnel, stop_cleanly):
    script = run_tunnel()
    url = script.wait_for(rf"Public URL: ({URL})")[1]
    script.wait_for(RUNNING)

    assert (project / ".env").read_text() == f"APP_URL={url}\n"
    stop_cleanly(script)


def test_reuses_an_agent_already_running_without_starting_another(
    project, run_tunnel, running_agent, fake_ngrok
):
    url = running_agent(8000)

    script = run_tunnel(PORT="8000")

    assert script.wait() == 0, script.output
    assert "Reusing the ngrok agent already running" in script.out
    assert f"Activate URL: {url}/activate" in script.out
    assert f"APP_URL={url}\n" in (project / ".env").read_text()
    assert len(fake_ngrok.pids()) == 1, "a second ngrok was started"


def test_tunnel_to_another_port_is_not_reused(run_tunnel, running_agent, fake_ngrok, pid_gone):
    other_url = running_agent(9000)

    script = run_tunnel(PORT="8000")
    # The new agent's API moves to the next port, as real ngrok's does; the URL comes from its log.
    url = script.wait_for(rf"Public URL: ({URL})")[1]
    script.wait_for(RUNNING)

    assert url != other_url
    assert "already running, with tunnels to other ports (http://localhost:9000)" in script.out
    first, second = fake_ngrok.pids()
    script.interrupt()
    assert script.wait() == 0, script.output
    assert pid_gone(second)
    assert not pid_gone(first, timeout=0), "the other agent must be left alone"


def test_without_ngrok_on_path_explains_how_to_install_it(project, tmp_path, run_tunnel, fake_ngrok):
    empty = tmp_path / "empty"
    empty.mkdir()

    script = run_tunnel(PATH=str(empty))

    assert script.wait() == 1
    assert "ngrok is not installed" in script.err
    assert "https://ngrok.com/download" in script.err
    assert "ngrok config add-authtoken <token>" in script.err
    assert not (project / ".env").exists()
    assert fake_ngrok.pids() == []


def test_ngrok_exiting_early_shows_its_output(project, run_tunnel, fake_ngrok):
    script = run_tunnel(FAKE_NGROK_MODE="no-authtoken")

    assert script.wait() == 1
    assert "ngrok exited with code 1" in script.err
    assert "ERR_NGROK_4018" in script.err
    assert "ngrok config add-authtoken <token>" in script.err
    assert not (project / ".env").exists()


def test_gives_up_when_no_tunnel_appears(run_tunnel, fake_ngrok, pid_gone):
    script = run_tunnel(FAKE_NGROK_MODE="no-tunnel", NGROK_START_TIMEOUT="0.5")

    assert script.wait() == 1
    assert "ngrok opened no tunnel to port 8000 within 0.5 s" in script.err
    (ngrok_pid,) = fake_ngrok.pids()
    assert pid_gone(ngrok_pid)


def test_warns_when_the_url_changed_since_last_run(project, run_tunnel, stop_cleanly):
    (project / ".env").write_text("APP_URL=https://old-tunnel.ngrok-free.app\n")

    script = run_tunnel()
    url = script.wait_for(rf"Public URL: ({URL})")[1]
    script.wait_for(RUNNING)
    stop_cleanly(script)

    assert "WARNING: the public URL changed (it was https://old-tunnel.ngrok-free.app)" in script.err
    assert f"Activate URL to {url}/activate" in script.err
    assert f"Callback URL to {url}/callback" in script.err
    assert "restart the App" in script.err


def test_first_run_from_a_localhost_app_url_does_not_warn(project, run_tunnel, stop_cleanly):
    (project / ".env").write_text("APP_URL=http://localhost:8000\n")

    script = run_tunnel()
    script.wait_for(RUNNING)
    stop_cleanly(script)

    assert "WARNING" not in script.output


def test_ctrl_c_stops_ngrok(run_tunnel, fake_ngrok, pid_gone):
    script = run_tunnel()
    script.wait_for(RUNNING)
    (ngrok_pid,) = fake_ngrok.pids()

    script.interrupt()

    assert script.wait() == 0
    assert "Stopping ngrok" in script.out
    assert pid_gone(ngrok_pid)


def test_exits_when_ngrok_dies(run_tunnel, fake_ngrok):
    script = run_tunnel()
    script.wait_for(RUNNING)
    (ngrok_pid,) = fake_ngrok.pids()

    os.kill(ngrok_pid, signal.SIGKILL)

    assert script.wait() == 1
    assert re.search(r"ngrok exited \(code -9\): the tunnel is closed", script.err)


@pytest.mark.parametrize(
    ("addr", "port"),
    [
        ("http://localhost:8000", 8000),
        ("https://localhost:8443", 8443),
        ("localhost:8000", 8000),
        ("127.0.0.1:8000", 8000),
        ("http://[::1]:8000", 8000),
        ("8000", 8000),
        ("http://example.com:8000", None),
        ("http://localhost", None),
    ],
)
def test_addr_port(tunnel_module, addr, port):
    assert tunnel_module.addr_port(addr) == port


def test_pick_tunnel_wants_https_to_the_port(tunnel_module):
    def tunnel(url, addr):
        config = {"addr": addr}
        return {"public_url": url, "proto": url.partition(":")[0], "config": config}

    tunnels = [
        tunnel("http://a.ngrok-free.app", "8000"),
        tunnel("https://b.ngrok-free.app", "8001"),
        tunnel("https://c.ngrok-free.app", "8000"),
    ]

    assert tunnel_module.pick_tunnel(tunnels, 8000) == "https://c.ngrok-free.app"
    assert tunnel_module.pick_tunnel(tunnels, 9000) is None


def test_find_tunnel_without_an_agent(tunnel_module, fake_ngrok):
    assert tunnel_module.find_tunnel(fake_ngrok.api_url, 8000) is None


@pytest.mark.parametrize(
    ("previous", "warned"),
    [
        (None, False),
        ("", False),
        ("http://localhost:8000", False),
        ("http://127.0.0.1:8000", False),
        ("https://new.ngrok-free.app", False),
        ("https://new.ngrok-free.app/", False),
        ("https://old.ngrok-free.app", True),
    ],
)
def test_pim_urls_changed(tunnel_module, previous, warned):
    assert tunnel_module.pim_urls_changed(previous, "https://new.ngrok-free.app") is warned
