"""The README stays true: its example runs, its commands are the ones CI runs, its map is the
tree; and the file-format reference is what the models say."""

from __future__ import annotations

import contextlib
import io
import os
import re

from tests.conftest import ROOT
from tracker.core.dates import SUBSET
from tracker.core.events import EVENT_CLASSES
from tracker.core.validation import model_of
from tracker.files.reference import reference

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


def test_the_file_format_reference_is_what_the_models_generate() -> None:
    """Regenerate it with `python -m tracker.files.reference > docs/file-format.md` (or run
    this test with TRACKER_UPDATE_GOLDEN set)."""
    path = ROOT / "docs" / "file-format.md"
    generated = reference()
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        path.write_text(generated, encoding="utf-8")

    assert path.read_text(encoding="utf-8") == generated


def test_the_file_format_reference_lists_every_event_type_and_field_with_its_words() -> None:
    text = reference()
    missing = []

    for cls in EVENT_CLASSES:
        kind = cls.type
        section = text.split(f"\n### {kind}\n", 1)[1].split("\n#", 1)[0]
        for name, field in model_of(cls).model_fields.items():
            row = next((r for r in section.splitlines() if r.startswith(f"| `{name}` |")), "")
            words = field.description or "EDTF: " + SUBSET
            if words.replace("\n", " ") not in row:
                missing.append(f"{kind}.{name}")

    assert missing == []


def test_the_readme_links_the_documents_its_parts_moved_to() -> None:
    for name in ["file-format", "decisions", "security", "performance"]:
        assert f"](docs/{name}.md)" in README
        assert (ROOT / "docs" / f"{name}.md").exists()
