"""Tier (a): every row of the option matrix bakes a complete project with no template text left in it."""

from __future__ import annotations

import re

import pytest

from helpers import (
    BOOLEAN_OPTIONS,
    CHOICE_OPTIONS,
    EXPECTED_PATHS,
    MATRIX,
    OPTIONS,
    TEMPLATE_PROJECT_DIR,
    Bake,
    bake,
    copied_without_render,
    project_files,
    text_files,
)

JINJA_LEFTOVER = re.compile(r"\{\{|\{%")
TOOL_CACHES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"}


def test_the_matrix_covers_every_option_value():
    for option, choices in {**CHOICE_OPTIONS, **{key: [True, False] for key in BOOLEAN_OPTIONS}}.items():
        default = OPTIONS[option][0] if option in CHOICE_OPTIONS else OPTIONS[option]
        baked_values = {variant.answers.get(option, default) for variant in MATRIX}
        missing = [value for value in choices if value not in baked_values]
        assert not missing, f"no matrix row bakes {option}={missing}"


def test_matrix_ids_are_unique():
    ids = [variant.id for variant in MATRIX]
    assert len(ids) == len(set(ids))


def test_an_answer_to_an_unknown_option_is_refused_before_baking(cookies):
    with pytest.raises(AssertionError, match="porrt"):
        bake(cookies, porrt="9000")


def test_the_bake_succeeds(baked: Bake):
    assert baked.error is None
    assert baked.project.is_dir()


def test_the_project_folder_is_named_after_the_slug(baked: Bake):
    assert baked.project.name == baked.answers["project_slug"]


def test_no_cookiecutter_reference_survives(baked: Bake):
    leftovers = [
        f"{path.relative_to(baked.project)}:{number}: {line.strip()}"
        for path, text in text_files(baked.project)
        for number, line in enumerate(text.splitlines(), 1)
        if "cookiecutter." in line
    ]
    assert not leftovers, "\n".join(leftovers)


def test_no_jinja_syntax_survives_in_rendered_files(baked: Bake):
    leftovers = [
        f"{path.relative_to(baked.project)}:{number}: {line.strip()}"
        for path, text in text_files(baked.project)
        if not copied_without_render(baked.project, path)
        for number, line in enumerate(text.splitlines(), 1)
        if JINJA_LEFTOVER.search(line)
    ]
    assert not leftovers, "\n".join(leftovers)


def test_no_file_or_folder_name_keeps_template_syntax(baked: Bake):
    names = [path for path in baked.project.rglob("*") if "{" in path.name or "}" in path.name]
    assert not names


def test_the_expected_files_exist(baked: Bake):
    missing = [
        pattern
        for pattern, wanted in EXPECTED_PATHS
        if wanted(baked.answers)
        and not list(baked.project.glob(pattern.format(package=baked.answers["package_name"])))
    ]
    assert not missing


def test_files_for_options_not_chosen_are_absent(baked: Bake):
    present = [
        pattern
        for pattern, wanted in EXPECTED_PATHS
        if not wanted(baked.answers)
        and list(baked.project.glob(pattern.format(package=baked.answers["package_name"])))
    ]
    assert not present


def test_the_app_html_templates_and_static_files_are_copied_verbatim(baked: Bake):
    source_package = TEMPLATE_PROJECT_DIR / "src" / "{{cookiecutter.package_name}}"
    copied = [
        path
        for path in source_package.rglob("*")
        if path.is_file() and copied_without_render(TEMPLATE_PROJECT_DIR, path)
    ]
    assert copied, "the template has no file under _copy_without_render"
    differing = [
        str(path.relative_to(source_package))
        for path in copied
        if (baked.package_dir / path.relative_to(source_package)).read_bytes() != path.read_bytes()
    ]
    assert not differing


def test_no_tool_cache_is_baked_into_the_project(baked: Bake):
    caches = sorted(
        str(path.relative_to(baked.project))
        for path in baked.project.rglob("*")
        if path.is_dir() and path.name in TOOL_CACHES
    )
    assert not caches, f"copied from the template folder: {caches}"


def test_every_python_file_compiles(baked: Bake):
    for path in project_files(baked.project):
        if path.suffix == ".py":
            compile(path.read_text(), str(path), "exec")


OTHER_LAYER_IMPORTS = {
    "flask": re.compile(r"^\s*(from|import) (fastapi|starlette|uvicorn)\b", re.M),
    "fastapi": re.compile(r"^\s*(from|import) (flask|werkzeug)\b", re.M),
}


def test_nothing_of_the_other_web_layer_is_left_behind(baked: Bake):
    framework = baked.answers["web_framework"]
    app_code = baked.project / "src" / baked.answers["package_name"]
    leftovers = [
        str(path.relative_to(baked.project))
        for path in app_code.rglob("*.py")
        if OTHER_LAYER_IMPORTS[framework].search(path.read_text())
    ]
    assert not leftovers
    other = "fastapi" if framework == "flask" else "flask"
    runtime = (baked.project / "pyproject.toml").read_text().split("dependencies = [", 1)[1].split("]", 1)[0]
    assert f'"{other}' not in runtime


# Documents the generated project does not ship: its comments state facts in place instead.
UNSHIPPED_REFERENCES = re.compile(r"protocol notes|§\s*\d|DESIGN\.md|the brief\b|akeneo-apps-protocol", re.I)


def test_no_file_points_to_a_document_the_project_does_not_ship(baked: Bake):
    pointing = [str(path) for path, text in text_files(baked.project) if UNSHIPPED_REFERENCES.search(text)]
    assert not pointing


HARD_CODED_PORT = re.compile(r"=\s*8000\b|[\"']8000[\"']|[(,]\s*8000\b")


def test_the_scripts_and_the_emulator_read_the_port_through_the_apps_parsers(baked: Bake):
    # One set of settings parsers: no second default port to drift from the one answered at bake time.
    for relative in ("scripts/dev.py", "scripts/tunnel.py", "pim_emulator/config.py"):
        text = (baked.project / relative).read_text()
        assert ".env_values import" in text or "import env_values" in text, relative
        assert not HARD_CODED_PORT.search(text), relative
