"""Rewrite the generated project's uv.lock (`make lock`; `make lock UPGRADE=1` moves every pin to its newest).

uv.lock names the project and lists its dependencies, and both differ between bakes: the slug is an answer,
and only database=postgresql depends on psycopg at run time. So the lock is a template too. This bakes the
postgresql variant, lets uv lock it, relocks a sqlite bake from that result (same versions), and writes the
template back: the slug becomes a placeholder, and the lines only the postgresql lock has are wrapped in the
same condition as in pyproject.toml. Needs PyPI.
"""

from __future__ import annotations

import argparse
import difflib
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
POSTGRESQL_ONLY = ('{%- if cookiecutter.database == "postgresql" %}\n', "{%- endif %}\n")
UV = Path(sys.executable).with_name("uv")


def bake(output_dir: Path, database: str) -> Path:
    """A bake with the given database and this script's slug, its uv.lock rendered from the template."""
    user_config = output_dir / "cookiecutter-config.yaml"
    user_config.write_text(f"cookiecutters_dir: {output_dir / 'cc'}\nreplay_dir: {output_dir / 'replay'}\n")
    return Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            output_dir=str(output_dir / database),
            config_file=str(user_config),
            extra_context={"project_slug": SLUG, "database": database},
        )
    )


def lock(project: Path, *, upgrade: bool) -> list[str]:
    command = [str(UV), "lock", "--quiet", *(["--upgrade"] if upgrade else [])]
    subprocess.run(command, cwd=project, check=True)  # noqa: S603 (fixed arguments, this repository's uv)
    return (project / "uv.lock").read_text().splitlines(keepends=True)


def as_template(postgresql: list[str], sqlite: list[str]) -> str:
    """The postgresql lock, the lines the sqlite lock lacks made conditional, the slug a placeholder."""
    lines: list[str] = []
    matcher = difflib.SequenceMatcher(a=sqlite, b=postgresql, autojunk=False)
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            lines.extend(postgresql[b_start:b_end])
        elif operation == "insert":
            lines.extend([POSTGRESQL_ONLY[0], *postgresql[b_start:b_end], POSTGRESQL_ONLY[1]])
        else:
            raise SystemExit(f"the sqlite lock differs by more than psycopg: {sqlite[a_start:a_end]}")
    if lines.count(SLUG_LINE) != 1:
        raise SystemExit(f"expected one {SLUG_LINE.strip()!r} line in the lock")
    return "".join(SLUG_PLACEHOLDER if line == SLUG_LINE else line for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="move every pin to its newest allowed version")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        postgresql_project = bake(Path(scratch), "postgresql")
        postgresql = lock(postgresql_project, upgrade=arguments.upgrade)
        sqlite_project = bake(Path(scratch), "sqlite")
        (sqlite_project / "uv.lock").write_text("".join(postgresql))
        sqlite = lock(sqlite_project, upgrade=False)
    TEMPLATE_LOCK.write_text(as_template(postgresql, sqlite))
    print(f"wrote {TEMPLATE_LOCK.relative_to(TEMPLATE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
