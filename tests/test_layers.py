"""The layers stay layers: a pure core, and imports going cli -> (report ->) service ->
store, files -> core."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "tracker"
# What each layer may import of the tracker (besides itself and tracker.errors).
ALLOWED = {
    "tracker.errors": set(),
    "tracker.core": set(),
    "tracker.store": {"tracker.core"},
    "tracker.files": {"tracker.core"},
    "tracker.service": {"tracker.core", "tracker.store", "tracker.files"},
    "tracker.report": {"tracker.service", "tracker.core"},
    "tracker.cli": {"tracker.service", "tracker.core", "tracker.report"},
    "tracker": {"tracker.service", "tracker.core"},
}


def module_names() -> list[str]:
    """Every module of the package, dotted."""
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py")
    )


def layer(module: str) -> str:
    """The layer a module belongs to: its entry in ALLOWED with the longest matching name."""
    return max(
        (name for name in ALLOWED if module == name or module.startswith(name + ".")), key=len
    )


def tracker_imports(module: str) -> set[str]:
    """The tracker modules a module imports anywhere (at the top, in functions, for types)."""
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found.update(n for n in [node.module, *names] if n.startswith("tracker"))
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tracker"))
    return found


@pytest.mark.parametrize("module", module_names())
def test_module_imports_only_the_layers_below_it(module: str) -> None:
    own = layer(module)
    allowed = {own, "tracker.errors", *ALLOWED[own]}

    wrong = {
        imported
        for imported in tracker_imports(module)
        if imported != "tracker" and layer(imported) not in allowed
    }

    assert wrong == set(), f"{module} ({own}) imports {sorted(wrong)}"


def test_the_core_loads_no_database_file_or_command_line_library() -> None:
    core = [m for m in module_names() if m.startswith("tracker.core")]
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        "banned = ('sqlalchemy', 'yaml', 'click', 'alembic', 'psycopg', 'jinja2', 'rich')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in banned))\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert result.stdout == "[]\n"


def test_the_command_line_starts_without_the_database_library() -> None:
    code = "import sys, tracker.cli\nprint(sorted({'sqlalchemy', 'pydantic'} & set(sys.modules)))"

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert result.stdout == "[]\n"
