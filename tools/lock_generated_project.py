"""Rewrite the generated project's uv.lock (`make lock`; `make lock UPGRADE=1` moves every pin to its newest).

uv.lock names the project and lists its dependencies, and both differ between bakes: the slug is an answer,
the web framework brings Flask or FastAPI and its server, and only database=postgresql depends on psycopg at
run time. So the lock is a template too. This locks a superset project (every variant's dependencies at once),
relocks each variant from that result (so all share the same versions, each keeping only what it uses), and
writes the template back: the slug becomes a placeholder, and each run of lines that not every variant has is
wrapped in a condition naming the variants that have it. Needs PyPI.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import subprocess
import sys
import tempfile
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
TEMPLATE_LOCK = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "uv.lock"
SLUG = "lock-source"
SLUG_LINE = f'name = "{SLUG}"\n'
SLUG_PLACEHOLDER = 'name = "{{ cookiecutter.project_slug }}"\n'
FRAMEWORKS = ("flask", "fastapi")
DATABASES = ("sqlite", "postgresql")
VARIANTS = tuple(itertools.product(FRAMEWORKS, DATABASES))
# What the FastAPI/PostgreSQL bake lacks to depend on everything any variant depends on at run time.
SUPERSET_EXTRA = '    "flask>=3.0",\n'
UV = Path(sys.executable).with_name("uv")


def bake(output_dir: Path, web_framework: str, database: str) -> Path:
    """A bake with this script's slug, its uv.lock rendered from the template."""
    output_dir.mkdir(parents=True, exist_ok=True)
    user_config = output_dir / "cookiecutter-config.yaml"
    user_config.write_text(f"cookiecutters_dir: {output_dir / 'cc'}\nreplay_dir: {output_dir / 'replay'}\n")
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(output_dir / f"{web_framework}-{database}"),
            config_file=str(user_config),
            extra_context={"project_slug": SLUG, "web_framework": web_framework, "database": database},
        )
    )


def lock(project: Path, *, upgrade: bool = False) -> list[str]:
    command = [str(UV), "lock", "--quiet", *(["--upgrade"] if upgrade else [])]
    subprocess.run(command, cwd=project, check=True)  # noqa: S603 (fixed arguments, this repository's uv)
    return (project / "uv.lock").read_text().splitlines(keepends=True)


def make_superset(project: Path) -> None:
    """Turn a FastAPI/PostgreSQL bake into a project that depends on every variant's packages."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    marker = "dependencies = [\n"
    if marker not in text:
        raise SystemExit("pyproject.toml has no dependencies list")
    pyproject.write_text(text.replace(marker, marker + SUPERSET_EXTRA, 1))


def condition(variants: frozenset[tuple[str, str]]) -> str:
    """The Jinja test that is true exactly for these (web_framework, database) variants."""
    for framework in FRAMEWORKS:
        if variants == {(framework, database) for database in DATABASES}:
            return f'cookiecutter.web_framework == "{framework}"'
    for database in DATABASES:
        if variants == {(framework, database) for framework in FRAMEWORKS}:
            return f'cookiecutter.database == "{database}"'
    names = ", ".join(f'"{framework}/{database}"' for framework, database in sorted(variants))
    return f'(cookiecutter.web_framework ~ "/" ~ cookiecutter.database) in [{names}]'


def variants_of_each_line(superset: list[str], locks: dict[tuple[str, str], list[str]]) -> list[frozenset]:
    """For each superset line, the variants whose lock has it; a variant may only drop lines, never add."""
    owners: list[set[tuple[str, str]]] = [set() for _ in superset]
    for variant, lines in locks.items():
        matcher = difflib.SequenceMatcher(a=superset, b=lines, autojunk=False)
        for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
            if operation == "equal":
                for index in range(a_start, a_end):
                    owners[index].add(variant)
            elif operation != "delete":
                raise SystemExit(f"the {variant} lock adds to the superset: {lines[b_start:b_end]}")
    return [frozenset(owner) for owner in owners]


def as_template(superset: list[str], locks: dict[tuple[str, str], list[str]]) -> str:
    """The superset lock, each run of lines some variants lack made conditional, the slug a placeholder."""
    every = frozenset(VARIANTS)
    out: list[str] = []
    owners = variants_of_each_line(superset, locks)
    for variants, group in itertools.groupby(zip(owners, superset, strict=True), key=lambda pair: pair[0]):
        lines = [line for _, line in group]
        if not variants:
            continue  # only the superset has it (the extra runtime Flask)
        if variants == every:
            out.extend(lines)
        else:
            out.extend([f"{{%- if {condition(variants)} %}}\n", *lines, "{%- endif %}\n"])
    if out.count(SLUG_LINE) != 1:
        raise SystemExit(f"expected one {SLUG_LINE.strip()!r} line in the lock")
    return "".join(SLUG_PLACEHOLDER if line == SLUG_LINE else line for line in out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to its newest allowed version")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        superset_project = bake(Path(scratch) / "superset", "fastapi", "postgresql")
        make_superset(superset_project)
        superset = lock(superset_project, upgrade=arguments.upgrade)
        locks = {}
        for web_framework, database in VARIANTS:
            project = bake(Path(scratch), web_framework, database)
            (project / "uv.lock").write_text("".join(superset))
            locks[web_framework, database] = lock(project)
    TEMPLATE_LOCK.write_text(as_template(superset, locks))
    print(f"wrote {TEMPLATE_LOCK.relative_to(TEMPLATE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
