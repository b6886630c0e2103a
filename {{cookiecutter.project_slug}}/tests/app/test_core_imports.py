"""The core knows no web framework: no module outside web/ imports a framework or the web layer."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "{{ cookiecutter.package_name }}"
WEB_FRAMEWORKS = {"flask", "werkzeug", "fastapi", "starlette", "uvicorn", "uvicorn_worker", "gunicorn"}
CORE_MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "web" not in path.relative_to(PACKAGE).parts)


def imported(path: Path) -> set[str]:
    """Absolute top-level names, plus `.web…` for relative imports of the web layer."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0:
                names.add(module.split(".")[0])
            elif module == "web" or module.startswith("web.") or any(a.name == "web" for a in node.names):
                names.add(".web")
    return names


def test_the_core_is_not_empty():
    assert len(CORE_MODULES) > 10


@pytest.mark.parametrize("path", CORE_MODULES, ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_core_module_imports_no_web_framework(path):
    names = imported(path)
    assert not names & WEB_FRAMEWORKS
    assert ".web" not in names
