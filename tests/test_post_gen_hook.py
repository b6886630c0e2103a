"""The post-generation hook's functions, called directly on the hook rendered for given answers."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from cookiecutter.replay import dump
from dotenv import dotenv_values

import local_extensions
from helpers import (
    ANSWERED_CLIENT_ID,
    ANSWERED_CLIENT_SECRET,
    bake_into,
    render_hook,
    write_cookiecutter_config,
)

# Values python-dotenv would change if written as they are: expansions, quotes, escapes, comments, spaces.
HOSTILE_VALUES = (
    "abc${HOME}def",
    "${HOME}",
    "${HOME:-fallback}",
    "${:-$}",
    "${",
    "$HOME and $",
    "it's",
    'say "hi"',
    "back\\slash and \\n",
    "trailing backslash\\",
    "\\'",
    "#not a comment",
    "value #and comment",
    "  spaced out  ",
    "tab\there",
    "all of '\"\\${A}$B#c d at once",
)
# Part of the baked .env.example, with the keys the hook fills in.
ENV_EXAMPLE = "# From the PIM's form.\nAKENEO_CLIENT_ID=\nAKENEO_CLIENT_SECRET=\nSECRET_KEY=\nPORT=8000\n"


def post_gen_hook(directory: Path, answers: dict[str, Any] | None = None, **private: Any) -> ModuleType:
    return render_hook("post_gen_project.py", answers or {}, directory, **private)


def written_env(hook: ModuleType) -> dict[str, str | None]:
    """The .env the hook writes from ENV_EXAMPLE, read back the way the generated project reads it."""
    text = hook.render_env(ENV_EXAMPLE, hook.env_literals(), hook.LOCAL_CREDENTIALS)
    return dotenv_values(stream=io.StringIO(text))


def project_with_example(root: Path) -> Path:
    project = root / "project"
    project.mkdir()
    (project / ".env.example").write_text(ENV_EXAMPLE)
    return project


# -- .env ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", HOSTILE_VALUES)
def test_python_dotenv_reads_back_the_answered_client_secret(tmp_path: Path, secret: str):
    hook = post_gen_hook(tmp_path, {"akeneo_client_id": ANSWERED_CLIENT_ID, "akeneo_client_secret": secret})

    assert written_env(hook)["AKENEO_CLIENT_SECRET"] == secret


@pytest.mark.parametrize("value", HOSTILE_VALUES)
def test_python_dotenv_reads_back_a_dotenv_string_literal(value: str):
    # The filter .env.example writes the App name with, and the hook the answered credentials.
    literal = local_extensions.dotenv_string(value)

    assert dotenv_values(stream=io.StringIO(f"NAME={literal}\n"))["NAME"] == value


def test_the_answered_client_id_is_written_as_answered(tmp_path: Path):
    hook = post_gen_hook(
        tmp_path, {"akeneo_client_id": ANSWERED_CLIENT_ID, "akeneo_client_secret": ANSWERED_CLIENT_SECRET}
    )

    env = written_env(hook)

    assert (env["AKENEO_CLIENT_ID"], env["AKENEO_CLIENT_SECRET"]) == (
        ANSWERED_CLIENT_ID,
        ANSWERED_CLIENT_SECRET,
    )


def test_without_an_answered_secret_the_credentials_are_marked_local(tmp_path: Path):
    hook = post_gen_hook(tmp_path, {"akeneo_client_id": ANSWERED_CLIENT_ID})

    text = hook.render_env(ENV_EXAMPLE, hook.env_literals(), hook.LOCAL_CREDENTIALS)

    assert hook.LOCAL_CREDENTIALS is True
    assert hook.LOCAL_CREDENTIALS_NOTE in text


def test_write_env_writes_a_private_env_once_and_keeps_it(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    project = project_with_example(tmp_path)

    hook.write_env(project)
    first = (project / ".env").read_bytes()
    hook.write_env(project)

    assert (project / ".env").read_bytes() == first
    assert stat.S_IMODE((project / ".env").stat().st_mode) == 0o600


# -- pruning ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "paths"), [("docker", ["Dockerfile", "compose.yaml"]), ("ci", [".github"])]
)
def test_prune_removes_the_files_of_an_option_turned_off(tmp_path: Path, option: str, paths: list[str]):
    hook = post_gen_hook(tmp_path, {option: False})
    project = tmp_path / "project"
    for name in [*paths, "Makefile"]:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text("x")

    hook.prune(project)
    hook.prune(project)

    assert sorted(path.name for path in project.iterdir()) == ["Makefile"]


def test_prune_removes_the_background_jobs_files_when_the_option_is_off(tmp_path: Path):
    hook = post_gen_hook(tmp_path, {"background_jobs": False, "package_name": "acme"})
    jobs_files = [
        "src/acme/jobs.py",
        "src/acme/sync_requests.py",
        "tests/app/test_jobs.py",
        "tests/app/test_worker.py",
    ]
    kept = ["src/acme/product_sync.py", "tests/app/test_sync.py"]
    for name in [*jobs_files, *kept]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")

    hook.prune(tmp_path)
    hook.prune(tmp_path)

    assert [name for name in [*jobs_files, *kept] if (tmp_path / name).exists()] == kept


def test_prune_keeps_cruft_json_when_the_template_is_a_git_checkout(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    (tmp_path / ".cruft.json").write_text("{}")

    hook.prune(tmp_path)

    assert (tmp_path / ".cruft.json").exists()


def test_prune_removes_cruft_json_when_the_template_has_no_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    not_a_checkout = tmp_path / "unpacked-template"
    not_a_checkout.mkdir()
    monkeypatch.setattr(local_extensions, "TEMPLATE_DIR", not_a_checkout)
    hook = post_gen_hook(tmp_path)
    (tmp_path / ".cruft.json").write_text("{}")

    hook.prune(tmp_path)

    assert hook.TEMPLATE_COMMIT is None
    assert not (tmp_path / ".cruft.json").exists()


# -- cookiecutter's replay file -----------------------------------------------------------------------------


def replay_with(directory: Path, answers: dict[str, Any]) -> Path:
    """A replay file as cookiecutter writes it, before the hook runs."""
    context = {"cookiecutter": {"project_name": "Acme", **answers}, "_cookiecutter": dict(answers)}
    dump(directory, "akeneo-start-app", context)
    return directory / "akeneo-start-app.json"


def test_scrub_blanks_the_answered_secret_in_the_replay_file(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    replay = replay_with(tmp_path, {"akeneo_client_secret": ANSWERED_CLIENT_SECRET})

    hook.scrub_replay(tmp_path, {"akeneo_client_secret": ANSWERED_CLIENT_SECRET})

    assert ANSWERED_CLIENT_SECRET not in replay.read_text()
    assert json.loads(replay.read_text())["cookiecutter"] == {
        "project_name": "Acme",
        "akeneo_client_secret": "",
    }


def test_scrub_says_which_replay_file_it_cleaned(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    replay = replay_with(tmp_path, {"akeneo_client_secret": ANSWERED_CLIENT_SECRET})

    said = hook.scrub_replay(tmp_path, {"akeneo_client_secret": ANSWERED_CLIENT_SECRET})

    assert said == [f"Removed akeneo_client_secret from cookiecutter's replay file {replay}."]


def test_scrub_leaves_a_replay_file_without_this_secret_alone_and_says_so(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    replay = replay_with(tmp_path, {"akeneo_client_secret": "someone-elses-secret"})
    before = replay.read_bytes()

    said = hook.scrub_replay(tmp_path, {"akeneo_client_secret": ANSWERED_CLIENT_SECRET})

    assert replay.read_bytes() == before
    assert len(said) == 1
    assert "blank it there yourself" in said[0]


def test_scrub_does_nothing_when_no_secret_was_answered(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    replay = replay_with(tmp_path, {"akeneo_client_secret": ""})
    before = replay.read_bytes()

    assert hook.scrub_replay(tmp_path, {"akeneo_client_secret": ""}) == []
    assert replay.read_bytes() == before


def test_the_replay_dir_is_the_one_of_the_users_cookiecutter_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    hook = post_gen_hook(tmp_path)
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(write_cookiecutter_config(tmp_path)))

    assert hook.replay_dir() == tmp_path / "replay"


# -- next steps ---------------------------------------------------------------------------------------------


def test_next_steps_cd_into_the_project_from_where_the_user_baked(tmp_path: Path):
    hook = post_gen_hook(tmp_path, {"project_slug": "acme-sync"})
    project = tmp_path / "out" / "acme-sync"

    steps = hook.next_steps(project, str(tmp_path), local_credentials=False)

    assert steps[1:] == [
        "  cd out/acme-sync",
        "  make install",
        "  make dev       # the App and a local PIM emulator",
    ]


def test_next_steps_give_the_full_path_of_a_project_baked_elsewhere(tmp_path: Path):
    hook = post_gen_hook(tmp_path)
    project = tmp_path / "elsewhere" / "akeneo-start-app"

    steps = hook.next_steps(project, str(tmp_path / "home"), local_credentials=False)

    assert f"  cd {project}" in steps


def test_next_steps_ask_for_the_real_credentials_when_they_were_not_answered(tmp_path: Path):
    hook = post_gen_hook(tmp_path)

    steps = hook.next_steps(tmp_path, None, local_credentials=True)

    assert steps[-1] == "Before connecting a real PIM, put its client ID and secret in .env."


def test_a_cruft_rebake_writes_env_but_prints_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    # cruft bakes the old and the new template in temporary folders to compute an update.
    hook = post_gen_hook(tmp_path, _commit="0" * 40)
    project = project_with_example(tmp_path)
    monkeypatch.chdir(project)

    assert hook.main() == 0

    assert (project / ".env").exists()
    assert capsys.readouterr().out == ""


# -- end to end ---------------------------------------------------------------------------------------------


def test_a_bake_prints_the_next_steps(
    tmp_path: Path, cookiecutter_config: Path, capfd: pytest.CaptureFixture[str]
):
    bake_into(tmp_path, cookiecutter_config, project_slug="acme-sync", package_name="acme_sync")

    out = capfd.readouterr().out

    assert "make install" in out
    assert "make dev" in out
    assert "acme-sync" in out
