"""One text for each stored value. SQLite keeps dates and moments as the text it is given,
and Python reads other spellings of the same value (`20261206T112635.037639`, `2025-W09-6`);
the hashes, computed on the value, cannot tell them apart, while SQL compares and orders the
text. `verify` names each value not written as the store writes it, and reads refuse it
(PostgreSQL's date and timestamp columns hold values, not texts, so have no other spelling).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.service import Tracker
from tracker.store import guards, sql


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


# A small agreement whose one term starts on 2025-03-01, cites a source published that day, and
# was recorded at 2026-12-06 11:26:35.037639 (the values the spellings below rewrite); then an
# amendment recorded a day later, which the reads as known at noon leave out by its moment.
ACME = """\
agreement: acme
title: Acme supply
parties: [{name: Acme, role: supplier}]
sources:
  - {id: memo, title: Supply memo, published: 2025-03-01}
events:
  - id: acme-created
    type: agreement.created
    effective: 2025-01-01
    title: Acme supply
    parties: [{name: Acme, role: supplier}]
  - id: acme-price
    type: term.set
    effective: 2025-03-01
    term: price
    summary: Ten euros a crate
    sources: [{source: memo}]
"""
ACME_LATER = """\
agreement: acme
events:
  - {id: acme-delivery, type: term.set, effective: 2025-04-01, term: delivery, summary: Weekly}
"""
RECORDED = dt.datetime(2026, 12, 6, 11, 26, 35, 37639)
NOON = ("--as-of", "2025-06-01", "--known-at", "2026-12-06T12:00:00")
STATE = ("state", "acme", *NOON)


def acme(tmp_path: Path) -> tuple[str, Editor]:
    """The agreement recorded in a SQLite file at RECORDED, and its amendment a day later."""
    path, moments = tmp_path / "acme.db", iter([RECORDED, RECORDED + dt.timedelta(days=1)])
    tracker = Tracker.open(f"sqlite:///{path}", clock=lambda: next(moments))
    for name, text in (("acme.yaml", ACME), ("acme.later.yaml", ACME_LATER)):
        (tmp_path / name).write_text(text, encoding="utf-8")
        tracker.import_file(tmp_path / name)
    tracker.close()
    return f"sqlite:///{path}", Editor(path)


def terms_in_force(result: Result) -> list[str]:
    return list(json.loads(result.stdout)["terms"])


def test_the_acme_price_is_in_force_on_2025_06_01_as_stored(tmp_path: Path) -> None:
    url, db = acme(tmp_path)

    result = run(url, *STATE, "--format", "json")
    across = run(url, "terms", "price", *NOON, "--format", "json")

    assert (result.exit_code, terms_in_force(result)) == (0, ["price"])
    in_force = [a["in_force"]["summary"] for a in json.loads(across.stdout)["agreements"]]
    assert (across.exit_code, in_force) == (0, ["Ten euros a crate"])
    assert db.value("SELECT recorded_at FROM events WHERE id = 'acme-price'") == (
        "2026-12-06 11:26:35.037639"
    )


def test_state_refuses_a_recorded_at_rewritten_as_20261206T112635_037639(tmp_path: Path) -> None:
    url, db = acme(tmp_path)
    db.execute("UPDATE events SET recorded_at = '20261206T112635.037639' WHERE id = 'acme-price'")

    result = run(url, *STATE, "--format", "json")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored event at position 2 is damaged (column recorded_at holds "
        "'20261206T112635.037639', which the tracker writes '2026-12-06 11:26:35.037639'); run "
        "tracker verify\n"
    )


def test_state_refuses_an_effective_2025_03_01_rewritten_as_2025_W09_6(tmp_path: Path) -> None:
    url, db = acme(tmp_path)
    db.execute("UPDATE events SET effective = '2025-W09-6' WHERE id = 'acme-price'")

    result = run(url, *STATE, "--format", "json")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored event at position 2 is damaged (column effective holds '2025-W09-6', "
        "which the tracker writes '2025-03-01'); run tracker verify\n"
    )


def test_state_refuses_a_source_published_2025_03_01_rewritten_as_2025_W09_6(
    tmp_path: Path,
) -> None:
    url, db = acme(tmp_path)
    db.execute("UPDATE sources SET published = '2025-W09-6' WHERE id = 'memo'")

    result = run(url, *STATE, "--format", "json")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored source 'memo' of 'acme' is damaged (column published holds "
        "'2025-W09-6', which the tracker writes '2025-03-01'); run tracker verify\n"
    )


def test_terms_refuses_a_recorded_at_rewritten_as_20261206T112635_037639(tmp_path: Path) -> None:
    url, db = acme(tmp_path)
    db.execute("UPDATE events SET recorded_at = '20261206T112635.037639' WHERE id = 'acme-price'")

    result = run(
        url, "terms", "price", "--as-of", "2025-06-01", "--known-at", "2026-12-06T12:00:00"
    )

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored event at position 2 is damaged (column recorded_at holds "
        "'20261206T112635.037639', which the tracker writes '2026-12-06 11:26:35.037639'); run "
        "tracker verify\n"
    )


def test_state_refuses_an_effective_day_that_sqlite_turned_into_a_number(tmp_path: Path) -> None:
    url, db = acme(tmp_path)
    db.execute("UPDATE events SET effective = '20250301' WHERE id = 'acme-price'")

    result = run(url, *STATE, "--format", "json")

    assert db.value("SELECT typeof(effective) FROM events WHERE id = 'acme-price'") == "integer"
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored event at position 2 is damaged (column effective holds 20250301, not "
        "a date); run tracker verify\n"
    )


def test_state_refuses_a_recorded_at_with_a_nul_after_it(tmp_path: Path) -> None:
    url, db = acme(tmp_path)
    spelled = "2026-12-06 11:26:35.037639\x00"
    db.execute("UPDATE events SET recorded_at = ? WHERE id = 'acme-price'", (spelled,))

    result = run(url, *STATE, "--format", "json")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the stored event at position 2 is damaged (column recorded_at holds {spelled!r}, "
        "which the tracker writes '2026-12-06 11:26:35.037639'); run tracker verify\n"
    )


def test_reads_find_a_misspelled_row_by_its_index_and_without_it(tmp_path: Path) -> None:
    url, db = acme(tmp_path)
    db.execute("UPDATE events SET effective = '2025-W09-6' WHERE id = 'acme-price'")
    check = sql.MISSPELLED.format(where="agreement = 'acme' AND ")

    plan = db.connection.execute(f"EXPLAIN QUERY PLAN {check}").fetchall()
    with_index = db.connection.execute(check).fetchall()
    db.connection.execute("DROP INDEX ix_events_misspelled")
    without = run(url, *STATE)

    assert [row[-1] for row in plan] == [
        "SEARCH events USING INDEX ix_events_misspelled (agreement=?)"
    ]
    assert with_index == [(2, "2025-W09-6", "2026-12-06 11:26:35.037639")]
    assert (without.exit_code, without.stderr) == (
        1,
        "Error: the stored event at position 2 is damaged (column effective holds '2025-W09-6', "
        "which the tracker writes '2025-03-01'); run tracker verify\n",
    )
