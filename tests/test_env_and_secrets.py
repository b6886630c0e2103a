"""Tier (a): the bake writes a private, git-ignored .env with the answers or fresh secrets, and keeps it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import uuid
from pathlib import Path

import pytest
from dotenv import dotenv_values

from helpers import (
    ANSWERED_CLIENT_ID,
    ANSWERED_CLIENT_SECRET,
    MATRIX,
    MIN_SECRET_LENGTH,
    Bake,
    Bakery,
    bake_into,
    project_files,
    read_env,
    write_cookiecutter_config,
)

# The .env keys the bake fills with secrets (answered or generated); .env.example leaves them empty.
SECRET_KEYS = ("AKENEO_CLIENT_SECRET", "SECRET_KEY", "TOKEN_ENCRYPTION_KEY")
FERNET_KEY_BYTES = 32


def env_of(baked: Bake) -> dict[str, str | None]:
    """The baked .env as the generated project reads it (python-dotenv, expanding ${...})."""
    return dotenv_values(baked.project / ".env")


def git(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """git with no user or system configuration: only the project's own .gitignore decides."""
    environment = {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "HOME": str(project),
    }
    return subprocess.run(
        ["git", *args], cwd=project, env=environment, capture_output=True, text=True, check=False
    )


def test_env_has_every_key_of_env_example_in_the_same_order(baked: Bake):
    assert list(env_of(baked)) == list(read_env(baked.project / ".env.example"))


def test_env_holds_the_answered_client_id_or_a_fresh_uuid(baked: Bake):
    client_id = env_of(baked)["AKENEO_CLIENT_ID"]
    if baked.answers["akeneo_client_id"]:
        assert client_id == baked.answers["akeneo_client_id"]
    else:
        assert str(uuid.UUID(client_id)) == client_id


def test_env_holds_the_answered_client_secret_or_a_long_random_one(baked: Bake):
    client_secret = env_of(baked)["AKENEO_CLIENT_SECRET"]
    if baked.answers["akeneo_client_secret"]:
        assert client_secret == baked.answers["akeneo_client_secret"]
    else:
        assert len(client_secret) >= MIN_SECRET_LENGTH
        assert client_secret.isprintable()
        assert " " not in client_secret


def test_env_holds_a_secret_key_of_at_least_32_characters(baked: Bake):
    assert len(env_of(baked)["SECRET_KEY"]) >= MIN_SECRET_LENGTH


def test_env_holds_a_fresh_fernet_key_to_encrypt_the_stored_tokens(baked: Bake):
    key = env_of(baked)["TOKEN_ENCRYPTION_KEY"]
    assert len(base64.urlsafe_b64decode(key.encode("ascii"))) == FERNET_KEY_BYTES


def test_env_holds_the_answered_scopes_and_port(baked: Bake):
    env = env_of(baked)
    port = baked.answers["port"]
    assert env["AKENEO_SCOPES"] == " ".join(baked.answers["akeneo_scopes"].split())
    assert env["PORT"] == port
    assert env["APP_URL"] == ""  # empty: the App and the emulator use http://localhost:PORT


def test_the_default_scopes_sign_pim_users_in_with_name_and_email(bakery: Bakery):
    defaults = next(variant for variant in MATRIX if variant.id == "defaults")
    scopes = str(env_of(bakery.get(defaults))["AKENEO_SCOPES"]).split()
    assert {"openid", "profile", "email", "read_products"} <= set(scopes)


def test_env_example_leaves_the_secrets_empty(baked: Bake):
    example = read_env(baked.project / ".env.example")
    assert {key: example[key] for key in ("AKENEO_CLIENT_ID", *SECRET_KEYS)} == dict.fromkeys(
        ("AKENEO_CLIENT_ID", *SECRET_KEYS), ""
    )


def test_env_is_readable_by_its_owner_only(baked: Bake):
    mode = stat.S_IMODE((baked.project / ".env").stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0, oct(mode)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_env_is_git_ignored_and_env_example_is_not(baked: Bake, tmp_path: Path):
    repository = shutil.copytree(baked.project, tmp_path / baked.project.name)
    assert git(repository, "init", "--quiet").returncode == 0
    assert git(repository, "check-ignore", "--quiet", ".env").returncode == 0, ".env is not git-ignored"
    assert git(repository, "check-ignore", "--quiet", ".env.example").returncode == 1, (
        ".env.example is ignored"
    )


def test_no_secret_appears_outside_env(baked: Bake):
    env = env_of(baked)
    secrets = {key: env[key].encode() for key in SECRET_KEYS}
    if baked.answers["akeneo_client_secret"]:
        secrets["answered client secret"] = baked.answers["akeneo_client_secret"].encode()
    leaks = [
        f"{name} in {path.relative_to(baked.project)}"
        for path in project_files(baked.project)
        if path.name != ".env"
        for name, secret in secrets.items()
        if secret in path.read_bytes()
    ]
    assert not leaks


def test_each_bake_gets_its_own_secrets(bakery: Bakery):
    first, second = (dotenv_values(bakery.get(variant).project / ".env") for variant in MATRIX[:2])
    for key in SECRET_KEYS:
        assert first[key] != second[key], key


def test_baking_again_over_the_project_keeps_the_existing_env(tmp_path: Path, cookiecutter_config: Path):
    project = bake_into(tmp_path, cookiecutter_config)
    first_env = (project / ".env").read_bytes()

    again = bake_into(
        tmp_path,
        cookiecutter_config,
        overwrite=True,
        akeneo_client_id=ANSWERED_CLIENT_ID,
        akeneo_client_secret=ANSWERED_CLIENT_SECRET,
    )

    assert again == project
    assert (project / ".env").read_bytes() == first_env


def test_a_client_secret_with_dollars_quotes_and_backslashes_reads_back_as_answered(
    tmp_path: Path, cookiecutter_config: Path
):
    # Unquoted, "abc${HOME}def" read back as "abc/rootdef"; quotes and backslashes were eaten too.
    secret = "abc${HOME}def$USER'\"#\\x\\"
    project = bake_into(
        tmp_path, cookiecutter_config, akeneo_client_id=ANSWERED_CLIENT_ID, akeneo_client_secret=secret
    )

    assert dotenv_values(project / ".env")["AKENEO_CLIENT_SECRET"] == secret


def test_the_replay_file_keeps_the_answers_but_not_the_client_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
):
    # Cookiecutter and the hook both find the user's config through COOKIECUTTER_CONFIG.
    config = write_cookiecutter_config(tmp_path)
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    bake_into(
        tmp_path / "out",
        config,
        project_name="Replayed App",
        akeneo_client_id=ANSWERED_CLIENT_ID,
        akeneo_client_secret=ANSWERED_CLIENT_SECRET,
    )

    [replay] = (tmp_path / "replay").glob("*.json")
    assert ANSWERED_CLIENT_SECRET not in replay.read_text()
    assert json.loads(replay.read_text())["cookiecutter"]["project_name"] == "Replayed App"
    assert f"Removed akeneo_client_secret from cookiecutter's replay file {replay}." in capfd.readouterr().out
