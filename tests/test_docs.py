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
