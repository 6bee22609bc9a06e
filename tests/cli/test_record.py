"""The whole job from the command line: create an agreement, add a source, record every
event type (corrections too), and try any of it first with --dry-run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli

CREATE = (
    "agreement", "create", "acme", "--title", "Acme deal", "--party", "Acme=supplier",
    "--party", "Globex=buyer", "--effective", "2025-01-01",
)  # fmt: skip
VOLUME = (
    "record", "acme", "--type", "term.set", "--term", "supply.volume", "--summary",
    "Ten a day", "--effective", "2025-02-01",
)  # fmt: skip


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def acme(tmp_path: Path, sqlite_url: str) -> str:
    """A database holding the agreement `acme` and its source `press`, with text."""
    text = tmp_path / "press.txt"
    text.write_text("Acme and Globex signed a ten-year supply deal.\n", encoding="utf-8")
    created = run(*CREATE, "--db", sqlite_url)
    added = run(
        "sources", "add", "acme", "--id", "press", "--title", "Press release", "--text",
        str(text), "--db", sqlite_url,
    )  # fmt: skip
    assert created.exit_code == added.exit_code == 0, created.output + added.output
    assert added.stderr == "press: added to acme, 47 characters of text\n"
    return sqlite_url


def version(db: str) -> int:
    rows = json.loads(run("agreements", "--format", "json", "--db", db).stdout)
    return int(rows[0]["version"])


def test_agreement_create_starts_an_agreement(sqlite_url: str) -> None:
    result = run(*CREATE, "--db", sqlite_url)

    assert result.exit_code == 0
    assert (
        result.stderr
        == "2025-01-01-agreement-created-259a13af203d6ce7: recorded (acme version 1)\n"
    )
    assert version(sqlite_url) == 1


def test_a_correction_is_recorded_from_the_command_line(acme: str) -> None:
    first = run(*VOLUME, "--value", '{"n": 10}', "--cite", "press=ten-year supply", "--db", acme)
    target = first.stderr.split(":")[0]
    replacement = {
        "type": "term.set", "term": "supply.volume", "summary": "Twelve a day",
        "value": {"n": 12}, "effective": "2025-02-01",
    }  # fmt: skip

    fixed = run(
        "record", "--type", "event.corrected", "--target", target, "--reason", "wrong volume",
        "--replacement", json.dumps(replacement), "--effective", "2025-03-01", "--db", acme,
    )  # fmt: skip
    state = run("state", "--as-of", "2025-03-01", "--format", "json", "--db", acme)

    assert fixed.exit_code == 0, fixed.output
    assert fixed.stderr.endswith(": recorded (acme version 3)\n")
    assert json.loads(state.stdout)["terms"]["supply.volume"]["summary"] == "Twelve a day"


def test_a_citation_of_a_source_with_text_needs_a_quote(acme: str) -> None:
    result = run(*VOLUME, "--value", "{}", "--cite", "press", "--db", acme)

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: event '2025-02-01-term-set-6bc06e487e3232d7': field sources.0.quote: "
        "source 'press' "
        "has stored text, so the citation must quote it (--cite press=QUOTE)\n"
    )
    assert version(acme) == 1


def test_term_set_without_value_is_refused(acme: str) -> None:
    result = run(*VOLUME, "--db", acme)

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: term.set needs --value (a JSON object; {} for none): it replaces the whole term\n"
    )
    assert version(acme) == 1


def test_record_dry_run_shows_the_event_and_writes_nothing(acme: str) -> None:
    result = run(*VOLUME, "--value", '{"n": 10}', "--dry-run", "--db", acme)

    assert result.exit_code == 0
    assert json.loads(result.stdout)["summary"] == "Ten a day"
    assert result.stderr == (
        "2025-02-01-term-set-af5f5124df83246b: would be recorded (acme version 2); dry run, "
        "nothing written\n"
    )
    assert version(acme) == 1


def test_import_dry_run_on_a_new_path_writes_nothing(tmp_path: Path) -> None:
    new = tmp_path / "new.db"

    result = run("import", str(RECORD), "--dry-run", "--db", f"sqlite:///{new}")

    assert result.exit_code == 0
    assert result.stderr == (
        f"{RECORD}: 29 events would be written, 0 already present (version 29)\n"
    )
    assert not new.exists()


def test_adding_the_same_source_again_is_already_present(acme: str, tmp_path: Path) -> None:
    result = run(
        "sources", "add", "--id", "press", "--title", "Press release", "--text",
        str(tmp_path / "press.txt"), "--db", acme,
    )  # fmt: skip

    assert result.exit_code == 0
    assert result.stderr == "press: already present in acme, 47 characters of text\n"


def test_one_event_written_is_singular(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(
        "agreement: one\ntitle: One\nparties: [{name: A, role: buyer}]\n"
        "events:\n- {id: one-1, type: agreement.created, effective: 2025-01-01,"
        " title: One, parties: [{name: A, role: buyer}]}\n",
        encoding="utf-8",
    )

    result = run("import", str(path), "--db", sqlite_url)

    assert result.stderr == f"{path}: 1 event written, 0 already present (version 1)\n"


def test_changing_an_imported_event_names_the_agreement_the_field_and_the_fix(
    tmp_path: Path, sqlite_url: str
) -> None:
    run("import", str(RECORD), "--db", sqlite_url)
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        RECORD.read_text(encoding="utf-8").replace(
            "title: Microsoft–OpenAI partnership\n", "title: Changed\n"
        ),
        encoding="utf-8",
    )
    shutil.copytree(RECORD.parent / "sources", tmp_path / "sources")

    result = run("import", str(changed), "--db", sqlite_url)

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {changed}: event id '2019-07-22-agreement-created' is already used in the log "
        "of 'microsoft-openai' by an event with other content (differs in: title); to change "
        "a recorded event, record an event.corrected with target '2019-07-22-agreement-created'\n"
    )
    assert version(sqlite_url) == 29


def test_an_id_used_by_another_agreement_is_its_own_event_there(acme: str) -> None:
    same = "2025-01-01-agreement-created-259a13af203d6ce7"
    result = run(*CREATE[:2], "other", *CREATE[3:], "--id", same, "--db", acme)

    assert (result.exit_code, result.stderr) == (0, f"{same}: recorded (other version 1)\n")
    assert version(acme) == 1
    assert json.loads(run("log", "other", "--format", "json", "--db", acme).stdout)[0]["id"] == same


def test_ending_a_term_never_set_is_refused(acme: str) -> None:
    result = run(
        "record", "--type", "term.ended", "--term", "no.such", "--reason", "waived",
        "--effective", "2026-01-01", "--db", acme,
    )  # fmt: skip

    assert result.exit_code == 1
    assert result.stderr.endswith(": term 'no.such' was never set in 'acme' (terms: none)\n")
    assert version(acme) == 1


def test_an_event_dated_before_its_agreement_is_refused(acme: str) -> None:
    result = run(
        "record", "--type", "note.recorded", "--note", "n", "--effective", "2024-01-01",
        "--db", acme,
    )  # fmt: skip

    assert result.exit_code == 1
    assert result.stderr.endswith(
        ": dated 2024-01-01, before agreement 'acme' was created (2025-01-01)\n"
    )
    assert version(acme) == 1


@pytest.fixture
def shared(acme: str) -> str:
    """`acme` and `other`, each holding a term.set of id `same`."""
    for name in ("acme", "other"):
        if name == "other":
            assert run(*CREATE[:2], "other", *CREATE[3:], "--db", acme).exit_code == 0
        change = ("record", name, "--type", "term.set", "--term", "supply.volume", "--summary",
                  f"Ten a day at {name}", "--value", '{"n": 10}', "--effective", "2025-02-01",
                  "--id", "same")  # fmt: skip
        done = run(*change, "--db", acme)
        assert done.exit_code == 0, done.output
    return acme


def versions(db: str) -> dict[str, int]:
    rows = json.loads(run("agreements", "--format", "json", "--db", db).stdout)
    return {row["agreement"]: row["version"] for row in rows}


def test_retracting_an_id_two_agreements_hold_asks_which_and_writes_nothing(shared: str) -> None:
    result = run("retract", "same", "--reason", "wrong", "--db", shared)

    assert (result.exit_code, result.stderr) == (
        1,
        "Error: event 'same' is in several agreements (acme, other): name one, as in: "
        "tracker retract acme same\n",
    )
    assert versions(shared) == {"acme": 2, "other": 2}


def test_retracting_in_the_agreement_named_leaves_the_other_alone(shared: str) -> None:
    result = run("retract", "other", "same", "--reason", "wrong", "--id", "r", "--db", shared)

    assert (result.exit_code, result.stderr) == (0, "r: recorded (other version 3)\n")
    assert versions(shared) == {"acme": 2, "other": 3}


def test_retracting_without_an_agreement_takes_the_default_and_says_so(shared: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["retract", "same", "--reason", "wrong", "--id", "r", "--db", shared],
        env={"TRACKER_AGREEMENT": "acme"},
    )

    assert (result.exit_code, result.stderr) == (
        0,
        "Note: 'same' taken as of the default agreement 'acme'\nr: recorded (acme version 3)\n",
    )
    assert versions(shared) == {"acme": 3, "other": 2}


def test_retracting_an_id_the_named_agreement_lacks_is_refused(shared: str) -> None:
    result = run("retract", "acme", "nope", "--reason", "wrong", "--db", shared)

    assert (result.exit_code, result.stderr) == (1, "Error: no event 'nope' in agreement 'acme'\n")
    assert versions(shared) == {"acme": 2, "other": 2}
