"""The pre-generation hook's functions, called directly on the hook rendered for given answers."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helpers import COOKIECUTTER_JSON, render_hook

BAD_SLUG_SCOPE_AND_PORT = {
    "project_slug": "Not A Slug",
    "package_name": "acme_sync",
    "akeneo_scopes": "read_products read_prodcts",
    "port": "80",
}


def pre_gen_hook(directory: Path, **answers: Any) -> ModuleType:
    return render_hook("pre_gen_project.py", answers, directory)


def test_good_answers_have_no_problem(tmp_path: Path):
    hook = pre_gen_hook(tmp_path)

    assert hook.problems(hook.ANSWERS) == []


def test_every_bad_answer_is_reported_at_once_one_line_each(tmp_path: Path):
    hook = pre_gen_hook(tmp_path, **BAD_SLUG_SCOPE_AND_PORT)

    fields = [line.split(":")[1].strip() for line in hook.problems(hook.ANSWERS)]

    assert fields == ["project_slug", "akeneo_scopes", "port"]


def test_a_misspelled_scope_gets_the_known_scope_it_is_closest_to(tmp_path: Path):
    hook = pre_gen_hook(tmp_path)

    problem = hook.check_scopes("read_products write_prodcuts")

    assert "write_prodcuts (did you mean write_products?)" in problem


def test_each_misspelled_scope_gets_its_own_suggestion(tmp_path: Path):
    hook = pre_gen_hook(tmp_path)

    problem = hook.check_scopes("read_prodcts opnid")

    assert "read_prodcts (did you mean read_products?)" in problem
    assert "opnid (did you mean openid?)" in problem


def test_a_scope_like_no_known_one_gets_no_suggestion(tmp_path: Path):
    hook = pre_gen_hook(tmp_path)

    problem = hook.check_scopes("read_products launch_rockets")

    assert "launch_rockets;" in problem
    assert "did you mean" not in problem


def test_the_known_scopes_are_those_of_cookiecutter_json(tmp_path: Path):
    hook = pre_gen_hook(tmp_path)

    assert COOKIECUTTER_JSON["_known_scopes"] == hook.KNOWN_SCOPES


def test_a_project_name_with_a_dotenv_variable_is_accepted(tmp_path: Path):
    # .env values are quoted so that python-dotenv reads "${...}" back as typed (see test_post_gen_hook.py).
    hook = pre_gen_hook(tmp_path)

    assert hook.check_project_name("Save ${PROMO} now") is None


def test_main_prints_every_problem_on_stderr_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    hook = pre_gen_hook(tmp_path, **BAD_SLUG_SCOPE_AND_PORT)

    status = hook.main()

    lines = capsys.readouterr().err.splitlines()
    assert status == 1
    assert len(lines) == 3
    assert all(line.startswith("ERROR: ") for line in lines)


def test_main_is_silent_and_exits_0_on_good_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    hook = pre_gen_hook(tmp_path)

    status = hook.main()

    assert status == 0
    assert capsys.readouterr() == ("", "")
