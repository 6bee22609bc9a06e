"""Hostile and broken agreement files: one line on stderr, exit status 1, nothing written."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.store.engines import create_engine, ensure_schema

ORIGINAL = RECORD.read_text(encoding="utf-8")


def snapshot(url: str) -> str:
    """A digest of every stored row, events and sources."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [
            *conn.execute(sa.text("SELECT position, hash FROM events ORDER BY position")),
            *conn.execute(sa.text("SELECT agreement, id, sha256 FROM sources ORDER BY id")),
        ]
    engine.dispose()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding the shipped record, copied for each example."""
    path = tmp_path_factory.mktemp("template") / "tracker.db"
    engine = create_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    result = CliRunner().invoke(cli, ["import", str(RECORD), "--db", f"sqlite:///{path}"])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(path) as conn:  # fold the WAL into the file, so a copy holds it all
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def import_text(folder: Path, template: Path, text: str | bytes) -> tuple[Result, str, str]:
    """Import `text` as an agreement file beside the shipped sources; snapshots around it."""
    if not (folder / "sources").exists():
        shutil.copytree(RECORD.parent / "sources", folder / "sources")
    database = folder / "tracker.db"
    shutil.copy(template, database)
    url = f"sqlite:///{database}"
    path = folder / "agreement.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    before = snapshot(url)
    result = CliRunner().invoke(cli, ["import", str(path), "--db", url])
    return result, before, snapshot(url)


def assert_clean_failure(result: Result, before: str, after: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1
    assert after == before


BROKEN = {
    "malformed YAML": "agreement: [unclosed\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c]\n",
    "not a mapping": "- just\n- a list\n",
    "wrong types": ORIGINAL.replace("effective: 2025-01-21", "effective: [2025]", 1),
    "impossible date": ORIGINAL.replace("effective: 2025-01-21", "effective: 2025-02-30", 1),
    "unknown event type": ORIGINAL.replace("type: note.recorded", "type: note.shouted", 1),
    "unknown field": ORIGINAL.replace("type: note.recorded", "type: note.recorded\n    mood: 1", 1),
    "duplicate ids": ORIGINAL.replace(
        "id: 2025-01-21-azure-commitment", "id: 2025-01-21-cloud-own-capacity", 1
    ),
    "event of another agreement": ORIGINAL.replace(
        "type: note.recorded", "type: note.recorded\n    agreement: elsewhere", 1
    ),
    "correction of a missing event": ORIGINAL
    + "  - {id: fix, type: event.corrected, effective: 2025-02-01, target: ghost, reason: r,"
    " replacement: {type: note.recorded, effective: 2025-01-01, note: n}}\n",
    "reused id, other content": ORIGINAL.replace(
        "OpenAI has made a new, large Azure commitment",
        "OpenAI has made a small Azure commitment",
        1,
    ),
    "deeply nested": "a: " + "[" * 5000 + "]" * 5000 + "\n",
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_fails_cleanly_and_writes_nothing(
    name: str, tmp_path: Path, template: Path
) -> None:
    result, before, after = import_text(tmp_path, template, BROKEN[name])

    assert_clean_failure(result, before, after)


def test_non_utf8_file_fails_cleanly(tmp_path: Path, template: Path) -> None:
    result, before, after = import_text(tmp_path, template, ORIGINAL.encode("utf-8") + b"\xff\xfe")

    assert_clean_failure(result, before, after)


def test_a_50_mb_file_is_refused_before_it_is_read(tmp_path: Path, template: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    result, before, after = import_text(tmp_path, template, ORIGINAL + padding * 525_000)

    assert_clean_failure(result, before, after)
    assert "MiB is over the 16 MiB limit for an agreement file" in result.stderr


def mutate(text: str, data: st.DataObject) -> str:
    """Cut, duplicate, swap or overwrite a piece of the text."""
    lines = text.splitlines(keepends=True)
    kind = data.draw(st.sampled_from(["cut", "duplicate", "swap", "overwrite", "insert"]))
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines) - 1))
    if kind == "cut":
        del lines[min(i, j) : max(i, j) + 1]
    elif kind == "duplicate":
        lines.insert(j, lines[i])
    elif kind == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:
        junk = data.draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=12))
        at = data.draw(st.integers(0, len(lines[i])))
        cut = 0 if kind == "insert" else len(junk)
        lines[i] = lines[i][:at] + junk + lines[i][at + cut :]
    return "".join(lines)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_files_never_show_a_traceback_nor_write_half(
    data: st.DataObject, tmp_path: Path, template: Path
) -> None:
    text = mutate(ORIGINAL, data)

    result, before, after = import_text(tmp_path, template, text)

    if result.exit_code == 0:
        assert (
            CliRunner()
            .invoke(cli, ["verify", "--db", f"sqlite:///{tmp_path / 'tracker.db'}"])
            .exit_code
            == 0
        )
    else:
        assert_clean_failure(result, before, after)
