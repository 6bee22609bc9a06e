"""Helpers for the tests of what people see: run the CLI at a width, write agreement files."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from tests.conftest import GOLDEN
from tracker.cli import cli

TABLES = GOLDEN / "tables"


def run(*args: str, width: int = 100, color: bool = False, **env: str) -> Result:
    """The CLI at a terminal width, without colour unless asked (and NO_COLOR unset)."""
    environ = {"COLUMNS": str(width), "NO_COLOR": None, "FORCE_COLOR": None, **env}
    return CliRunner().invoke(cli, list(args), env=environ, color=color)


def steady(text: str) -> str:
    """The text with the moments it was made or recorded (`known at …`, `Recorded: …`)
    written as <now>."""
    text = re.sub(r"known at\s+\S+Z", "known at <now>", text)
    return re.sub(r"Recorded: +\S+Z", "Recorded:  <now>", text)


def golden(name: str, text: str) -> str:
    """The pinned text of `name`; with TRACKER_UPDATE_GOLDEN set, pin `text` first."""
    path = TABLES / name
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def agreement_file(folder: Path, name: str, events: list[dict[str, Any]], **header: Any) -> Path:
    """An agreement file without sources: created on 2020-01-01, then the given events."""
    created = {
        "id": f"{name}-created",
        "type": "agreement.created",
        "effective": "2020-01-01",
        "title": header.get("title", name.replace("-", " ").title()),
        "parties": [{"name": "Alpha", "role": "buyer"}, {"name": "Beta", "role": "seller"}],
    }
    data = {
        "agreement": name,
        "title": created["title"],
        "parties": [dict(p) for p in created["parties"]],
        "sources": header.get("sources", []),
        "events": [created, *events],
    }
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def term_set(eid: str, term: str, effective: str, summary: str, **extra: Any) -> dict[str, Any]:
    """A term.set event as an agreement file writes it."""
    return {
        "id": eid,
        "type": "term.set",
        "effective": effective,
        "term": term,
        "summary": summary,
        **extra,
    }


def widest(text: str) -> int:
    """The display width of the widest line (wide characters count twice)."""
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.splitlines()), default=0)


def column_text(output: str, header: str) -> str:
    """What the tables show under `header` (and, where a table put it under each row, the
    indented lines), whitespace removed: the cell texts run together."""
    parts, start = [], None
    for line in output.splitlines():
        if line.startswith("      "):
            parts.append(line)
        elif not line.strip():
            start = None
        elif start is not None:
            parts.append(line[start:])
        elif line.startswith("  ") and line.rstrip().endswith(f"  {header}"):
            start = line.index(f"  {header}") + 2
    return "".join("".join(p.split()) for p in parts)
