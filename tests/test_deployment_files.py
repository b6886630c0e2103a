"""Tier (b): the Dockerfile, compose file and CI workflow of each bake refer only to what the project holds.

No Docker engine runs here, so the files are parsed and their references checked; the generated workflow
builds the image for real.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from pathlib import Path

import pytest
import yaml

from helpers import Bake, makefile_help


def dockerfile_instructions(project: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (project / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(maxsplit=1)[0].upper(), line.split(maxsplit=1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


def copied_sources(project: Path) -> list[str]:
    sources = []
    for instruction, arguments in dockerfile_instructions(project):
        if instruction == "COPY" and "--from=" not in arguments:
            sources.extend(shlex.split(arguments)[:-1])
    return sources


def dockerignore_allows(project: Path, path: str) -> bool:
    """Docker's rule: the last matching pattern wins; `!` re-includes."""
    allowed = True
    for line in (project / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path.rstrip("/"), pattern):
            allowed = negated
    return allowed


def workflow(baked: Bake) -> dict:
    return yaml.safe_load((baked.project / ".github" / "workflows" / "ci.yml").read_text())


def test_everything_the_dockerfile_copies_exists_and_reaches_the_build(docker_bake: Bake):
    sources = copied_sources(docker_bake.project)
    assert sources
    for source in sources:
        assert (docker_bake.project / source).exists(), f"COPY {source}: not in the project"
        assert dockerignore_allows(docker_bake.project, source), f"COPY {source}: excluded by .dockerignore"


@pytest.mark.parametrize("dev_only", ["pim_emulator", "tests", "scripts", ".env", ".venv"])
def test_development_files_stay_out_of_the_image(docker_bake: Bake, dev_only: str):
    assert dev_only not in copied_sources(docker_bake.project)
    assert not dockerignore_allows(docker_bake.project, dev_only)


def test_the_image_is_multi_stage_and_runs_as_a_non_root_user(docker_bake: Bake):
    instructions = dockerfile_instructions(docker_bake.project)
    assert [i for i, _ in instructions].count("FROM") >= 2
    users = [arguments for instruction, arguments in instructions if instruction == "USER"]
    assert users and users[-1] not in ("root", "0")


def test_the_image_installs_the_locked_dependencies_without_the_development_group(docker_bake: Bake):
    runs = [a for i, a in dockerfile_instructions(docker_bake.project) if i == "RUN"]
    installs = [run for run in runs if "install" in run.split() or "sync" in run.split()]
    syncs = [run for run in installs if run.startswith("uv sync")]
    assert syncs, installs
    assert all("--locked" in run and "--no-dev" in run for run in syncs), syncs
    others = [run for run in installs if run not in syncs]
    # pip only brings uv itself; everything else comes from uv.lock.
    assert all(re.fullmatch(r"pip install uv==\S+", run) for run in others), others
    assert "uv.lock" in copied_sources(docker_bake.project)


def test_the_image_checks_health_on_the_health_route(docker_bake: Bake):
    healthchecks = [a for i, a in dockerfile_instructions(docker_bake.project) if i == "HEALTHCHECK"]
    assert len(healthchecks) == 1
    assert "/health" in healthchecks[0]


def test_the_image_serves_with_gunicorn_and_the_projects_config(docker_bake: Bake):
    commands = [a for i, a in dockerfile_instructions(docker_bake.project) if i == "CMD"]
    assert commands and "gunicorn" in commands[-1]
    assert "gunicorn.conf.py" in commands[-1]
    assert (docker_bake.project / "gunicorn.conf.py").is_file()


def test_the_image_exposes_the_chosen_port(docker_bake: Bake):
    exposed = [a for i, a in dockerfile_instructions(docker_bake.project) if i == "EXPOSE"]
    assert exposed == [str(docker_bake.answers["port"])]


def test_compose_builds_the_app_from_the_project(docker_bake: Bake):
    compose = yaml.safe_load((docker_bake.project / "compose.yaml").read_text())
    app = compose["services"]["app"]
    assert (docker_bake.project / app["build"] / "Dockerfile").is_file()
    assert app["env_file"] == ".env"


def test_compose_has_a_postgresql_service_exactly_when_postgresql_was_chosen(docker_bake: Bake):
    compose = yaml.safe_load((docker_bake.project / "compose.yaml").read_text())
    app = compose["services"]["app"]
    if docker_bake.answers["database"] == "postgresql":
        assert compose["services"]["db"]["image"].startswith("postgres:")
        assert app["depends_on"]["db"]["condition"] == "service_healthy"
        assert app["environment"]["DATABASE_URL"].startswith("postgresql+psycopg://")
        assert "@db:5432/" in app["environment"]["DATABASE_URL"]
    else:
        assert "db" not in compose["services"]
        assert app["environment"]["DATABASE_URL"].startswith("sqlite:////data/")


def test_the_workflow_runs_make_targets_the_makefile_has(ci_bake: Bake):
    targets = set(makefile_help(ci_bake.project / "Makefile"))
    commands = [
        step["run"]
        for job in workflow(ci_bake)["jobs"].values()
        for step in job["steps"]
        if "run" in step and step["run"].startswith("make ")
    ]
    assert {"make install", "make lint", "make test-all"} <= set(commands)  # CI runs the slow tests too
    for command in commands:
        assert command.split()[1] in targets, command


def test_the_workflow_tests_against_postgresql_and_a_browser_without_skipping(ci_bake: Bake):
    test_job = workflow(ci_bake)["jobs"]["test"]
    assert test_job["services"]["postgres"]["image"].startswith("postgres:")
    assert test_job["env"]["REQUIRE_POSTGRES"] == "1"
    assert test_job["env"]["REQUIRE_BROWSER"] == "1"
    assert test_job["env"]["TEST_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_the_workflow_builds_the_image_exactly_when_docker_was_chosen(ci_bake: Bake):
    jobs = workflow(ci_bake)["jobs"]
    assert ("image" in jobs) == ci_bake.answers["docker"]
    if ci_bake.answers["docker"]:
        runs = " ".join(step.get("run", "") for step in jobs["image"]["steps"])
        assert "docker build" in runs
        assert "/health" in runs


def test_the_workflow_holds_no_unrendered_expression(ci_bake: Bake):
    # GitHub's own ${{ }} syntax would collide with Jinja; the workflow is written without it.
    assert "${{" not in (ci_bake.project / ".github" / "workflows" / "ci.yml").read_text()


def test_compose_publishes_ports_on_this_machine_only(docker_bake: Bake):
    compose = yaml.safe_load((docker_bake.project / "compose.yaml").read_text())
    published = [port for service in compose["services"].values() for port in service.get("ports", [])]
    assert published
    assert all(str(port).startswith("127.0.0.1:") for port in published), published


def test_compose_database_password_comes_from_env_not_the_file(docker_bake: Bake):
    text = (docker_bake.project / "compose.yaml").read_text()
    assert "app:app@" not in text
    assert "POSTGRES_PASSWORD: app" not in text
