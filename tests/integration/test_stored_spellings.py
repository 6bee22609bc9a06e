"""One text for each stored value. SQLite keeps dates and moments as the text it is given,
and Python reads other spellings of the same value (`20261206T112635.037639`, `2025-W09-6`);
the hashes, computed on the value, cannot tell them apart, while SQL compares and orders the
text. `verify` names each value not written as the store writes it, and reads refuse it
(PostgreSQL's date and timestamp columns hold values, not texts, so have no other spelling).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.store import guards


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", url])


class Editor:
    """Someone editing the database behind the tracker's back, who puts its triggers back
    after each edit."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)

    def execute(self, sql: str, params: tuple[object, ...] = ()) -> None:
        for guard in guards.SQLITE:
            self.connection.execute(f"DROP TRIGGER {guard.name}")
        self.connection.execute(sql, params)
        for guard in guards.SQLITE:
            self.connection.execute(guard.create)

    def value(self, sql: str) -> object:
        return self.connection.execute(sql).fetchone()[0]


def recorded(tmp_path: Path) -> tuple[str, Path, Editor]:
    """The shipped record in a SQLite file, and its heads kept."""
    path = tmp_path / "t.db"
    url = f"sqlite:///{path}"
    run(url, "import", str(RECORD))
    run(url, "verify", "--write-heads", str(tmp_path / "heads.json"))
    return url, tmp_path / "heads.json", Editor(path)


def last_lines(result: Result) -> tuple[int, list[str]]:
    """The exit code and the problems verify printed (its lines before the heads)."""
    lines = result.stdout.splitlines()
    return result.exit_code, [line for line in lines if not line.startswith(("head ", "digest "))]


def test_a_recorded_at_rewritten_in_another_spelling_is_named_by_verify(tmp_path: Path) -> None:
    url, heads, db = recorded(tmp_path)
    at = str(db.value("SELECT recorded_at FROM events WHERE version = 5"))
    spelled = at.replace("-", "").replace(":", "").replace(" ", "T")
    db.execute("UPDATE events SET recorded_at = ? WHERE version = 5", (spelled,))

    result = run(url, "verify", "--against", str(heads))

    assert last_lines(result) == (
        1,
        [
            "agreement 'microsoft-openai': event 'before-2025-01-21-compute-tensions' (position 5, "
            f"version 5): column recorded_at holds {spelled!r}, which the tracker writes {at!r}"
        ],
    )


def test_reads_refuse_a_recorded_at_in_another_spelling(tmp_path: Path) -> None:
    url, _, db = recorded(tmp_path)
    at = str(db.value("SELECT recorded_at FROM events WHERE version = 5"))
    spelled = at.replace(" ", "T")
    db.execute("UPDATE events SET recorded_at = ? WHERE version = 5", (spelled,))

    result = run(url, "log", "--format", "json")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored event at position 5 is damaged (column recorded_at holds "
        f"{spelled!r}, which the tracker writes {at!r}); run tracker verify\n"
    )


def test_an_effective_day_rewritten_as_a_week_date_is_named_by_verify(tmp_path: Path) -> None:
    url, heads, db = recorded(tmp_path)
    day = db.value("SELECT effective FROM events WHERE id = '2025-01-21-cloud-rofr'")
    db.execute("UPDATE events SET effective = '2025-W04-2' WHERE id = '2025-01-21-cloud-rofr'")

    result = run(url, "verify", "--against", str(heads))

    assert day == "2025-01-21"
    assert last_lines(result) == (
        1,
        [
            "agreement 'microsoft-openai': event '2025-01-21-cloud-rofr' (position 19, version "
            "19): column effective holds '2025-W04-2', which the tracker writes '2025-01-21'"
        ],
    )


def test_a_source_published_as_a_week_date_is_named_by_verify_and_refused_by_reads(
    tmp_path: Path,
) -> None:
    url, heads, db = recorded(tmp_path)
    db.execute("UPDATE sources SET published = '2025-W04-2' WHERE id = 'verge-2025-01-21'")

    checked = run(url, "verify", "--against", str(heads))
    read = run(url, "sources", "--format", "json")

    assert last_lines(checked) == (
        1,
        [
            "agreement 'microsoft-openai': source 'verge-2025-01-21' (seq 1): column published "
            "holds '2025-W04-2', which the tracker writes '2025-01-21'"
        ],
    )
    assert (read.exit_code, read.stdout) == (1, "")
    assert read.stderr == (
        "Error: the stored source 'verge-2025-01-21' of 'microsoft-openai' is damaged (column "
        "published holds '2025-W04-2', which the tracker writes '2025-01-21'); run tracker "
        "verify\n"
    )


def test_verify_names_every_date_it_cannot_parse_and_never_crashes(tmp_path: Path) -> None:
    url, _, db = recorded(tmp_path)
    db.execute("UPDATE events SET effective = '2019-02-30' WHERE version = 1")
    db.execute("UPDATE events SET recorded_at = '2026-13-06 11:26:35.037639' WHERE version = 2")
    db.execute("UPDATE events SET announced = 20250121 WHERE version = 19")
    db.execute("UPDATE sources SET published = 'soon' WHERE seq = 1")

    result = run(url, "verify")

    event = "agreement 'microsoft-openai': event"
    assert last_lines(result) == (
        1,
        [
            f"{event} '2019-07-22-agreement-created' (position 1, version 1): column "
            "effective holds '2019-02-30', not a date",
            f"{event} '2019-07-22-cloud-exclusive-azure' (position 2, version 2): column "
            "recorded_at holds '2026-13-06 11:26:35.037639', not a moment",
            f"{event} '2025-01-21-cloud-rofr' (position 19, version 19): column announced "
            "holds 20250121, not a date",
            "agreement 'microsoft-openai': source 'verge-2025-01-21' (seq 1): column "
            "published holds 'soon', not a date",
        ],
    )
