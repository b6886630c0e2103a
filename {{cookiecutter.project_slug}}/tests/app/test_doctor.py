"""`python -m <package> doctor`: one line per check, and a fix for each one that fails."""

import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.doctor import check_clock, check_tunnel, diagnose

from tests.support.app_settings import CLIENT_ID, CLIENT_SECRET, TOKEN_KEY
from tests.support.hostile_pim import hostile_pim

PROJECT = Path(__file__).resolve().parents[2]
STRONG_KEY = "kY3v9QmZp2Lw8Rt5Xs1Nb7Hc4Jd6Fg0Ua_-Ee"


def environ_for(stack, **overrides):
    return {
        "AKENEO_CLIENT_ID": CLIENT_ID,
        "AKENEO_CLIENT_SECRET": CLIENT_SECRET,
        "AKENEO_SCOPES": " ".join(stack.services.settings.scopes),
        "APP_URL": stack.app_url,
        "SECRET_KEY": STRONG_KEY,
        "TOKEN_ENCRYPTION_KEY": TOKEN_KEY,
        "DATABASE_URL": stack.services.settings.database_url,
        "ALLOWED_PIM_HOSTS": "127.0.0.1,localhost",
        **overrides,
    }


def results(stack, tmp_path, **overrides):
    env_file = tmp_path / ".env"
    env_file.write_text("")
    return {check.name: check for check in diagnose(environ_for(stack, **overrides), env_file)}


def test_a_healthy_connection_passes_every_check(stack, tmp_path):
    stack.connect(stack.browser())
    checks = results(stack, tmp_path)
    assert all(check.ok for check in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks[stack.pim_url].detail.startswith("reachable, token accepted")
    assert checks[f"{stack.pim_url} scopes"].ok


def test_a_disconnected_pim_fails_with_how_to_reconnect(stack, tmp_path):
    stack.connect(stack.browser())
    stack.store.mark_disconnected(stack.pim_url)
    check = results(stack, tmp_path)[stack.pim_url]
    assert not check.ok
    assert "Open app" in check.fix


def test_a_refused_token_fails(stack, tmp_path):
    stack.connect(stack.browser())
    stack.control("disconnect")
    check = results(stack, tmp_path)[stack.pim_url]
    assert not check.ok
    assert "refused" in check.detail


@pytest.mark.slow  # waits out the retries' backoff
def test_an_unreachable_pim_fails(stack, tmp_path, unused_port):
    stack.store.save(f"http://127.0.0.1:{unused_port}", "T" * 86, ("read_products",))
    check = results(stack, tmp_path)[f"http://127.0.0.1:{unused_port}"]
    assert not check.ok
    assert check.detail.startswith("unreachable")


def test_scopes_asked_but_not_granted_are_named(stack, tmp_path):
    stack.connect(stack.browser())
    check = results(stack, tmp_path, AKENEO_SCOPES="read_products write_categories")[
        f"{stack.pim_url} scopes"
    ]
    assert not check.ok
    assert check.detail == "asked but not granted: write_categories"


def test_a_higher_scope_granted_covers_a_lower_one_asked(stack, tmp_path):
    stack.store.save(stack.pim_url, "T" * 86, ("write_products",))
    checks = results(stack, tmp_path, AKENEO_SCOPES="read_products")
    assert checks[f"{stack.pim_url} scopes"].ok


def test_a_pim_clock_far_from_ours_fails():
    # The date a PIM's answer carries, against ours when the answer came.
    check = check_clock("pim", "Mon, 01 Jan 2001 00:00:00 GMT", 978307200.0 + 3600)
    assert not check.ok
    assert "NTP" in check.fix


def test_a_clock_within_a_minute_passes():
    assert check_clock("pim", "Mon, 01 Jan 2001 00:00:30 GMT", 978307200.0).ok


def test_an_empty_secret_key_fails(stack, tmp_path):
    assert not results(stack, tmp_path, SECRET_KEY="")["SECRET_KEY"].ok


def test_a_stopped_database_fails_and_stops_the_checks(stack, tmp_path, unused_port):
    checks = results(stack, tmp_path, DATABASE_URL=f"postgresql+psycopg://app@127.0.0.1:{unused_port}/app")
    assert not checks["database"].ok
    assert stack.pim_url not in checks


def test_a_tunnel_url_no_agent_serves_fails(stack):
    with hostile_pim(stack.app_url) as agent:
        agent_app_url = "https://old-tunnel.ngrok-free.app"
        check = check_tunnel(agent_app_url, agent.url)  # answers 404: no tunnel list, so no agent
    assert check.ok
    assert "no ngrok agent" in check.detail


@pytest.mark.parametrize(("env", "code"), [({}, 0), ({"AKENEO_CLIENT_ID": ""}, 1)])
def test_the_command_prints_one_line_per_check_and_exits_with_the_verdict(stack, tmp_path, env, code):
    env_file = tmp_path / ".env"
    env_file.write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "{{ cookiecutter.package_name }}", "doctor", "--env", str(env_file)],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin", **environ_for(stack, **env)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == code, result.stdout + result.stderr
    assert all(line.startswith(("ok  ", "FAIL", "      fix:")) for line in result.stdout.splitlines())
