"""`make install` on a fresh clone: .env made from .env.example with strong keys, existing values kept."""

import subprocess
import sys
from pathlib import Path

from {{ cookiecutter.package_name }}.env_file import ensure_env_file
from {{ cookiecutter.package_name }}.env_values import read_environment
from {{ cookiecutter.package_name }}.settings import is_weak_secret_key, load_settings

PROJECT = Path(__file__).resolve().parents[2]


def values(path):
    return dict(
        line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and line[0] != "#"
    )


def test_a_fresh_clone_gets_an_env_file_with_strong_keys(tmp_path):
    env = tmp_path / ".env"
    filled = ensure_env_file(env, PROJECT / ".env.example")
    # POSTGRES_PASSWORD too where the project's default database is compose's PostgreSQL.
    assert {"SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "AKENEO_CLIENT_ID", "AKENEO_CLIENT_SECRET"} <= set(filled)
    assert not is_weak_secret_key(values(env)["SECRET_KEY"])
    assert env.stat().st_mode & 0o777 == 0o600


def test_the_env_file_it_makes_is_a_valid_configuration(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    ensure_env_file(env, PROJECT / ".env.example")
    for name in values(env):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(read_environment(env))
    assert settings.secret_key == values(env)["SECRET_KEY"]


def test_existing_values_are_never_replaced(tmp_path):
    env = tmp_path / ".env"
    env.write_text("AKENEO_CLIENT_ID=mine\nAKENEO_CLIENT_SECRET=\nSECRET_KEY=kept\nTOKEN_ENCRYPTION_KEY=\n")
    assert ensure_env_file(env, PROJECT / ".env.example") == ["TOKEN_ENCRYPTION_KEY"]
    assert values(env)["AKENEO_CLIENT_ID"] == "mine"
    assert values(env)["AKENEO_CLIENT_SECRET"] == ""
    assert values(env)["SECRET_KEY"] == "kept"


def test_a_second_run_changes_nothing(tmp_path):
    env = tmp_path / ".env"
    ensure_env_file(env, PROJECT / ".env.example")
    before = env.read_text()
    assert ensure_env_file(env, PROJECT / ".env.example") == []
    assert env.read_text() == before


def test_the_init_env_command_says_what_it_wrote(tmp_path):
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "init-env"]
    result = subprocess.run(
        [*command, "--env", str(tmp_path / ".env")],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "wrote new" in result.stdout
    assert "SECRET_KEY" in result.stdout
