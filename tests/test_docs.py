"""The README stays true: its example runs, its commands are the ones CI runs."""

from __future__ import annotations

import contextlib
import io
import re

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_python_example_runs_and_prints_what_it_says() -> None:
    [code] = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    output = io.StringIO()

    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {})

    assert output.getvalue() == "Ten widgets a day\nexpired\n"


def test_ci_runs_the_readme_install_and_test_commands() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = 'python3 -m venv .venv && .venv/bin/pip install -e ".[dev]"'
    test = ".venv/bin/pytest"

    assert f"    {install}\n" in README and f"\n{install}\n" in ci
    assert f"    {test}\n" in README and f"\n{test}\n" in ci


def where_things_are() -> dict[str, str]:
    """The README's map: each path it names, with the line that describes it."""
    section = README.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    lines = [line[4:] for line in section.splitlines() if line.startswith("    ")]
    return {line.split()[0]: line for line in lines}


def test_readme_map_names_paths_that_exist() -> None:
    missing = [path for path in where_things_are() if not (ROOT / path).exists()]

    assert missing == []


def test_readme_map_names_every_package_and_module_of_the_tracker() -> None:
    named = where_things_are()
    package = ROOT / "tracker"
    expected = {
        f"tracker/{p.name}/" if p.is_dir() else f"tracker/{p.name}"
        for p in package.iterdir()
        if (p.is_dir() and (p / "__init__.py").exists())
        or (p.suffix == ".py" and p.stem != "__init__")
    }

    listed = {
        path: sorted(m.strip() for m in line.rsplit(": ", 1)[1].split(","))
        for path, line in named.items()
        if path.startswith("tracker/") and path.endswith("/")
    }
    actual = {
        path: sorted(p.stem for p in (ROOT / path).glob("*.py") if p.stem != "__init__")
        for path in listed
    }

    assert {p for p in named if p.startswith("tracker/")} == expected
    assert listed == actual
