"""Tier (b): the GitHub workflows and Dockerfiles pass the ecosystem's linters, and CI runs what it says.

actionlint (with shellcheck on the run: scripts), zizmor (offline: no GitHub API) and hadolint run over
every bake that has a workflow or a Dockerfile, and over this repository's own workflow. `make install` puts
the tools in .venv; a missing one fails the test rather than skipping it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import TEMPLATE_DIR, TEMPLATE_PROJECT_DIR, Bake

TOOLS_DIR = Path(sys.executable).parent
TEMPLATE_WORKFLOW = TEMPLATE_DIR / ".github" / "workflows" / "ci.yml"
TEMPLATE_DEPENDABOT = TEMPLATE_DIR / ".github" / "dependabot.yml"
# owner/repo[/path]@<40 hex> # vX.Y.Z: a commit cannot be moved as a tag can; the comment names the release.
PINNED_USES = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<sha>\S+)(?P<comment>.*)$")
SHA = re.compile(r"^[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^ # v\d+\.\d+\.\d+$")
SUPPORTED_PYTHONS_LINE = re.compile(r"^Supported Python versions: (?P<versions>.+?)\.?$", re.MULTILINE)


def tool(name: str) -> str:
    path = TOOLS_DIR / name
    assert path.is_file(), f"{name} is not installed in {TOOLS_DIR}: run make install"
    return str(path)


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def actionlint(workflow: Path) -> subprocess.CompletedProcess[str]:
    command = [tool("actionlint"), "-no-color", "-shellcheck", tool("shellcheck"), workflow.name]
    return run(command, workflow.parent)


def zizmor_findings(*paths: Path) -> list[str]:
    """zizmor's findings at medium severity or above, offline, one line each."""
    command = [tool("zizmor"), "--offline", "--no-progress", "--min-severity=medium", "--format=json"]
    result = run([*command, *map(str, paths)], TEMPLATE_DIR)
    assert result.stdout.strip(), result.stderr
    return [
        f"{finding['ident']} ({finding['determinations']['severity']}): {finding['desc']} "
        f"at {finding['locations'][0]['symbolic']['key']}"
        for finding in json.loads(result.stdout)
    ]


def baked_workflow(baked: Bake) -> Path:
    return baked.project / ".github" / "workflows" / "ci.yml"


def pins(workflow: Path) -> dict[str, set[tuple[str, str]]]:
    """action -> the (commit, comment) pairs it is used at."""
    found: dict[str, set[tuple[str, str]]] = {}
    for line in workflow.read_text().splitlines():
        match = PINNED_USES.match(line)
        if match:
            found.setdefault(match["action"], set()).add((match["sha"], match["comment"]))
    return found


def make_targets(commands: list[str]) -> set[str]:
    return {target for command in commands for target in command.split()[1:] if not target.startswith("-")}


def expand_prerequisites(makefile: Path, targets: set[str]) -> set[str]:
    """Targets with no recipe of their own, replaced by the phony targets they only chain (test: a b)."""
    rule_without_recipe = re.compile(r"^([a-z][\w-]*):([^=#\n]*?)\s*(?:##.*)?\n(?!\t)", re.MULTILINE)
    aliases = {
        match[1]: match[2].split()
        for match in rule_without_recipe.finditer(makefile.read_text())
        if match[2].strip()
    }
    expanded: set[str] = set()
    for target in targets:
        expanded |= expand_prerequisites(makefile, set(aliases[target])) if target in aliases else {target}
    return expanded


# -- the generated project --------------------------------------------------------------------------------


def test_actionlint_passes_the_baked_workflow(ci_bake: Bake):
    result = actionlint(baked_workflow(ci_bake))
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_at_medium_or_above_in_the_baked_workflow_and_dependabot(ci_bake: Bake):
    dependabot = ci_bake.project / ".github" / "dependabot.yml"
    assert zizmor_findings(baked_workflow(ci_bake), dependabot) == []


def test_hadolint_passes_the_baked_dockerfile(docker_bake: Bake):
    result = run([tool("hadolint"), "--no-color", "Dockerfile"], docker_bake.project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_every_baked_action_is_pinned_by_commit_with_its_version(ci_bake: Bake):
    used = pins(baked_workflow(ci_bake))
    assert used
    for action, references in used.items():
        for sha, comment in references:
            assert SHA.match(sha), f"{action}@{sha}: not a full commit SHA"
            assert VERSION_COMMENT.match(comment), f"{action}@{sha}: no '# vX.Y.Z' comment"


def test_the_baked_workflow_pins_each_action_as_the_template_workflow_does(ci_bake: Bake):
    # Dependabot updates this repository's workflow only (the generated one is a Jinja file): a bump there
    # fails this test until the generated workflow gets the same pins.
    template = pins(TEMPLATE_WORKFLOW)
    for action, references in pins(baked_workflow(ci_bake)).items():
        assert references == template.get(action), f"{action}: {references}, template: {template.get(action)}"


def test_dependabot_watches_the_lock_the_actions_and_the_image_when_there_is_one(ci_bake: Bake):
    config = yaml.safe_load((ci_bake.project / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"] for update in config["updates"]}
    assert ecosystems == {"uv", "github-actions"} | ({"docker"} if ci_bake.answers["docker"] else set())


# -- this repository --------------------------------------------------------------------------------------


def test_actionlint_passes_the_template_workflow():
    result = actionlint(TEMPLATE_WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_at_medium_or_above_in_the_template_workflow_and_dependabot():
    assert zizmor_findings(TEMPLATE_WORKFLOW, TEMPLATE_DEPENDABOT) == []


def test_every_template_action_is_pinned_by_commit_with_its_version():
    used = pins(TEMPLATE_WORKFLOW)
    assert used
    for action, references in used.items():
        assert len(references) == 1, f"{action} at several versions: {references}"
        [(sha, comment)] = references
        assert SHA.match(sha), f"{action}@{sha}: not a full commit SHA"
        assert VERSION_COMMENT.match(comment), f"{action}@{sha}: no '# vX.Y.Z' comment"


def test_ci_run_and_the_github_workflow_run_the_same_make_targets():
    ci_run = [line.strip() for line in (TEMPLATE_DIR / ".ci" / "run").read_text().splitlines()]
    workflow = yaml.safe_load(TEMPLATE_WORKFLOW.read_text())
    steps = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    # make install is implied locally: every target depends on the environment it creates.
    from_workflow = make_targets([step for step in steps if step.startswith("make ")]) - {"install"}
    from_ci_run = make_targets([line for line in ci_run if line.startswith("make ")])
    assert from_workflow
    assert expand_prerequisites(TEMPLATE_DIR / "Makefile", from_ci_run) == from_workflow


def test_the_fast_tier_runs_on_exactly_the_python_versions_the_readme_promises():
    promised = SUPPORTED_PYTHONS_LINE.search((TEMPLATE_DIR / "README.md").read_text())
    assert promised, "README.md has no 'Supported Python versions: …' line"
    versions = re.findall(r"3\.\d+", promised["versions"])
    workflow = yaml.safe_load(TEMPLATE_WORKFLOW.read_text())
    assert workflow["jobs"]["fast"]["strategy"]["matrix"]["python-version"] == versions


@pytest.mark.parametrize(
    "pyproject",
    [TEMPLATE_DIR / "pyproject.toml", TEMPLATE_PROJECT_DIR / "pyproject.toml"],
    ids=["template", "generated"],
)
def test_requires_python_starts_at_the_oldest_supported_version(pyproject: Path):
    promised = SUPPORTED_PYTHONS_LINE.search((TEMPLATE_DIR / "README.md").read_text())
    assert promised
    oldest = re.findall(r"3\.\d+", promised["versions"])[0]
    # Read as text: the generated pyproject.toml is a Jinja file, not TOML yet.
    requires = re.search(r'^requires-python = "(?P<spec>[^"]+)"$', pyproject.read_text(), re.MULTILINE)
    assert requires and requires["spec"] == f">={oldest}"
