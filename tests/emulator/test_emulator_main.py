"""`python -m pim_emulator`: starts from the environment and .env, fails cleanly on bad settings."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from emulator_support import APP_URL, CLIENT_ID, CLIENT_SECRET, query_of, token_request


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(project, **variables):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AKENEO_", "PIM_EMULATOR_", "APP_URL"))
    }
    # The emulator, and the App package whose settings parsers it shares.
    env.update(PYTHONPATH=os.pathsep.join([str(project), str(project / "src")]), PYTHONDONTWRITEBYTECODE="1")
    env.update(variables)
    return env


@pytest.fixture
def run_emulator(tmp_path, baked_project):
    processes = []

    def run(**variables):
        process = subprocess.Popen(
            [sys.executable, "-m", "pim_emulator"],
            cwd=tmp_path,
            env=environment(baked_project, **variables),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process

    yield run
    for process in processes:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=5)


def wait_for(url, process, deadline=60.0):
    """The first answer from url; generous, since other test runs may share the machine's cores."""
    stop = time.monotonic() + deadline
    while time.monotonic() < stop:
        assert process.poll() is None, process.communicate()
        try:
            return requests.get(url, timeout=10)
        except requests.RequestException:
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer within {deadline}s")


def test_it_serves_the_app_store_and_prints_its_url(run_emulator):
    port = free_port()
    process = run_emulator(AKENEO_CLIENT_ID="cid", AKENEO_CLIENT_SECRET="secret", PIM_EMULATOR_PORT=str(port))

    response = wait_for(f"http://127.0.0.1:{port}/connect/app-store", process)

    assert response.status_code == 200
    assert "Your App" in response.text
    assert process.stdout.readline().strip().endswith(f"http://localhost:{port}/connect/app-store")


def test_it_reads_dot_env_but_real_environment_variables_win(run_emulator, tmp_path):
    port = free_port()
    (tmp_path / ".env").write_text(
        "AKENEO_CLIENT_ID=from-dotenv\n"
        "AKENEO_CLIENT_SECRET=secret\n"
        "PIM_EMULATOR_APP_NAME=Dotenv App\n"
        f"PIM_EMULATOR_PORT={port}\n"
        "SECRET_KEY=ignored-by-the-emulator\n"
    )
    process = run_emulator(PIM_EMULATOR_APP_NAME="Environment App")

    html = wait_for(f"http://127.0.0.1:{port}/connect/app-store", process).text

    assert "from-dotenv" in html
    assert "Environment App" in html


def test_a_bad_setting_exits_2_with_a_one_line_message(run_emulator):
    process = run_emulator(AKENEO_CLIENT_ID="cid", AKENEO_CLIENT_SECRET="secret", PIM_EMULATOR_PORT="http")

    stdout, stderr = process.communicate(timeout=10)

    assert process.returncode == 2
    assert "PIM_EMULATOR_PORT" in stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert stdout == ""


def test_missing_credentials_exit_2(run_emulator):
    process = run_emulator()

    _, stderr = process.communicate(timeout=10)

    assert process.returncode == 2
    assert "AKENEO_CLIENT_ID" in stderr


def test_the_connection_survives_a_restart_through_the_instance_state_file(run_emulator, tmp_path):
    port = free_port()
    settings = {
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "APP_URL": APP_URL,
        "PIM_EMULATOR_PORT": str(port),
        "PIM_EMULATOR_AUTO_CONSENT": "1",
    }
    base = f"http://127.0.0.1:{port}"
    first = run_emulator(**settings)
    wait_for(f"{base}/connect/app-store", first)
    authorize = requests.get(
        f"{base}/connect/apps/v1/authorize",
        params={"response_type": "code", "client_id": CLIENT_ID, "scope": "read_products"},
        allow_redirects=False,
        timeout=10,
    )
    code = query_of(authorize.headers["Location"])["code"][0]
    token = requests.post(
        f"{base}/connect/apps/v1/oauth2/token", data=token_request(code), timeout=10
    ).json()["access_token"]
    first.terminate()
    first.communicate(timeout=30)

    second = run_emulator(**settings)
    wait_for(f"{base}/connect/app-store", second)
    products = requests.get(
        f"{base}/api/rest/v1/products-uuid", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )

    assert (tmp_path / "instance" / "pim_emulator_state.json").is_file()
    assert products.status_code == 200
