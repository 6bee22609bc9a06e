"""Ending a term that no term.set ever set is a rule of the whole log: `tracker record` and
`tracker import` refuse it with the same one-line message and write nothing."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from tests.cli.see import agreement_file, term_set
from tests.conftest import RECORD
from tracker.cli import cli

END_NO_SUCH = {"id": "end-no-such", "type": "term.ended", "effective": "2021-01-01",
               "term": "no.such", "reason": "waived"}  # fmt: skip
MESSAGE = "event 'end-no-such': term 'no.such' was never set in 'deal' (terms: supply.volume)"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def versions(db: str) -> dict[str, int]:
    rows = json.loads(run("agreements", "--format", "json", "--db", db).stdout)
    return {row["agreement"]: row["version"] for row in rows}


def deal(folder: Path, *events: dict[str, object]) -> Path:
    volume = term_set("set-volume", "supply.volume", "2020-02-01", "Ten a day")
    return agreement_file(folder, "deal", [volume, *events])


def amendment(folder: Path, *events: dict[str, object]) -> Path:
    """A file of events for the agreement `deal`, already stored."""
    path = folder / "amendment.yaml"
    path.write_text(json.dumps({"agreement": "deal", "events": list(events)}), encoding="utf-8")
    return path


def test_import_refuses_ending_a_term_never_set_and_writes_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    path = deal(tmp_path, END_NO_SUCH)

    result = run("import", str(path), "--db", sqlite_url)

    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {MESSAGE}\n"
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    assert versions(sqlite_url) == {"microsoft-openai": 29}


def test_an_amendment_file_ending_a_term_never_set_is_refused(
    tmp_path: Path, sqlite_url: str
) -> None:
    assert run("import", str(deal(tmp_path)), "--db", sqlite_url).exit_code == 0
    path = amendment(tmp_path, END_NO_SUCH)

    result = run("import", str(path), "--db", sqlite_url)

    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {MESSAGE}\n"
    assert versions(sqlite_url) == {"deal": 2}


def test_record_refuses_it_with_the_same_message(tmp_path: Path, sqlite_url: str) -> None:
    assert run("import", str(deal(tmp_path)), "--db", sqlite_url).exit_code == 0

    result = run(
        "record", "deal", "--id", "end-no-such", "--type", "term.ended", "--term", "no.such",
        "--reason", "waived", "--effective", "2021-01-01", "--db", sqlite_url,
    )  # fmt: skip

    assert result.exit_code == 1
    assert result.stderr == f"Error: {MESSAGE}\n"
    assert versions(sqlite_url) == {"deal": 2}


def test_a_correction_cannot_turn_an_event_into_the_end_of_a_term_never_set(
    tmp_path: Path, sqlite_url: str
) -> None:
    note = {"id": "a-note", "type": "note.recorded", "effective": "2021-01-01", "note": "x"}
    assert run("import", str(deal(tmp_path, note)), "--db", sqlite_url).exit_code == 0
    replacement = {k: v for k, v in END_NO_SUCH.items() if k != "id"}
    path = amendment(tmp_path, {
        "id": "end-no-such", "type": "event.corrected", "effective": "2021-01-02",
        "target": "a-note", "reason": "it was an end", "replacement": replacement,
    })  # fmt: skip

    result = run("import", str(path), "--db", sqlite_url)

    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: {MESSAGE}\n"
    assert versions(sqlite_url) == {"deal": 3}


def test_ending_a_term_set_in_the_stored_log_is_accepted(tmp_path: Path, sqlite_url: str) -> None:
    assert run("import", str(deal(tmp_path)), "--db", sqlite_url).exit_code == 0
    end = {**END_NO_SUCH, "id": "end-volume", "term": "supply.volume"}

    result = run("import", str(amendment(tmp_path, end)), "--db", sqlite_url)

    assert result.exit_code == 0
    assert versions(sqlite_url) == {"deal": 3}
