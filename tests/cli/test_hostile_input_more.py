"""More input chosen to break the tracker: JSON with a key twice, arguments that are not
UTF-8, hidden characters in output and exports, and exports that must read back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.cli import cli

CREATE = (
    "agreement", "create", "acme", "--title", "Acme deal", "--party", "Acme=supplier",
    "--party", "Globex=buyer", "--effective", "2025-01-01", "--id", "acme-created",
)  # fmt: skip


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def note(db: str, text: str, id_: str = "n1") -> Result:
    return run(
        "record", "acme", "--type", "note.recorded", "--effective", "2025-02-01",
        "--note", text, "--id", id_, "--db", db,
    )  # fmt: skip


@pytest.fixture
def acme(sqlite_url: str) -> str:
    created = run(*CREATE, "--db", sqlite_url)
    assert created.exit_code == 0, created.output
    return sqlite_url


def log(db: str) -> list[dict[str, object]]:
    result = run("log", "acme", "--format", "json", "--db", db)
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.stdout)
    for row in rows:
        del row["recorded_at"]
    return rows


def test_duplicate_keys_in_json_on_the_command_line_are_refused(acme: str) -> None:
    result = run(
        "record", "acme", "--type", "term.set", "--term", "supply.volume", "--summary", "Ten",
        "--effective", "2025-02-01", "--value", '{"a": 1, "b": {"c": 1, "c": 2}}', "--db", acme,
    )  # fmt: skip

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: --value names the key 'c' twice\n"
    assert [row["id"] for row in log(acme)] == ["acme-created"]


def test_arguments_that_are_not_utf8_are_refused_with_one_line(acme: str) -> None:
    undecodable = b"ev\xffent".decode("utf-8", "surrogateescape")

    results = [
        run("retract", undecodable, "--reason", "r", "--db", acme),
        run("state", undecodable, "--db", acme),
        run("record", "acme", "--type", "note.recorded", "--note", undecodable, "--db", acme),
    ]

    for result in results:
        assert (result.exit_code, result.stdout) == (1, "")
        assert result.stderr == "Error: the argument 'ev\\xffent' is not UTF-8 text\n"


def test_json_output_escapes_c1_and_bidi_characters(acme: str) -> None:
    text = "price \u202eexcl\u202c tax \x9b2J"
    assert note(acme, text).exit_code == 0

    result = run("log", "acme", "--format", "json", "--db", acme)

    assert "\u202e" not in result.stdout and "\x9b" not in result.stdout
    assert '"note": "price \\u202eexcl\\u202c tax \\u009b2J"' in result.stdout
    assert json.loads(result.stdout)[1]["note"] == text


def test_export_escapes_c1_and_bidi_characters(acme: str) -> None:
    assert note(acme, "price \u202eexcl\u202c tax \x9b2J é").exit_code == 0

    result = run("export", "acme", "--db", acme)

    assert '  note: "price \\u202Eexcl\\u202C tax \\x9B2J \\xE9"\n' in result.stdout


def export_then_import(db: str, folder: Path, fresh: str) -> Result:
    exported = run("export", "acme", "--output", str(folder), "--db", db)
    assert exported.exit_code == 0, exported.output
    return run("import", str(folder / "acme.yaml"), "--db", fresh)


# Text around one of the characters YAML folds or reads as a line break, a control or a bidi
# override, or one that means something in YAML.
SPECIAL = st.sampled_from("\x85\u2028\u2029\u202e\x9b\r\n\t \x7f\ufeff:#'\"\\-?|>&*!%@`")
PART = st.text(st.one_of(SPECIAL, st.characters(exclude_categories=["Cs"])), max_size=15)
TEXT = st.builds(lambda a, c, b: a + c + b, PART, SPECIAL, PART).filter(lambda s: "\x00" not in s)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=TEXT)
def test_export_round_trips_nel_and_separators_exactly(
    text: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("export")
    db = f"sqlite:///{folder / 'a.db'}"
    assert run(*CREATE, "--db", db).exit_code == 0
    assert note(db, text).exit_code == 0

    imported = export_then_import(db, folder / "out", f"sqlite:///{folder / 'b.db'}")
    again = run("import", str(folder / "out" / "acme.yaml"), "--db", db)

    assert imported.exit_code == 0, imported.output
    assert log(f"sqlite:///{folder / 'b.db'}") == log(db)
    assert again.exit_code == 0, again.output


def test_sources_with_files_of_one_name_are_exported_to_distinct_paths(
    acme: str, tmp_path: Path
) -> None:
    for folder, id_ in (("a", "press-a"), ("b", "press-b")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "press.txt").write_text(f"Text of {id_}.\n", encoding="utf-8")
        added = run(
            "sources", "add", "acme", "--id", id_, "--title", id_, "--text",
            str(tmp_path / folder / "press.txt"), "--db", acme,
        )  # fmt: skip
        assert added.exit_code == 0, added.output
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"

    imported = export_then_import(acme, tmp_path / "out", fresh)

    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "out" / "press.txt").read_text("utf-8") == "Text of press-a.\n"
    assert (tmp_path / "out" / "press.press-b.txt").read_text("utf-8") == "Text of press-b.\n"
    sources = json.loads(run("sources", "acme", "--format", "json", "--db", fresh).stdout)
    assert [(s["id"], s["file"]) for s in sources] == [
        ("press-a", "press.txt"),
        ("press-b", "press.press-b.txt"),
    ]


def test_expires_9999_12_31_works_in_every_command(acme: str, tmp_path: Path) -> None:
    for term, expires in (("never.exact", "9999-12-31"), ("never.month", "9999-12")):
        recorded = run(
            "record", "acme", "--type", "term.set", "--term", term, "--summary", "Forever",
            "--value", "{}", "--effective", "2025-02-01", "--expires", expires, "--db", acme,
        )  # fmt: skip
        assert recorded.exit_code == 0, recorded.output
    commands = [
        ["timeline", "acme"],
        ["report", "acme", "--output", str(tmp_path / "report.html")],
        ["report", "acme", "--as-of", "9999-12-31", "--output", str(tmp_path / "last.html")],
        ["state", "acme", "--as-of", "9999-12-31"],
        ["state", "acme", "--as-of", "9999-12-31", "--format", "table"],
        ["diff", "acme", "9999-12-30", "9999-12-31"],
        ["upcoming", "acme", "--as-of", "9999-12-01", "--within", "9999y", "--ical",
         str(tmp_path / "never.ics")],
    ]  # fmt: skip

    results = [run(*c, "--db", acme) for c in commands]

    assert [r.exit_code for r in results] == [0, 0, 0, 0, 0, 0, 0], [r.output for r in results]
    periods = json.loads(results[0].stdout)["terms"]["never.exact"]
    assert [(p["start"], p["end"], p["expires"]) for p in periods] == [
        ("2025-02-01", None, "9999-12-31")
    ]
    state = json.loads(results[3].stdout)
    assert state["terms"]["never.exact"]["expires"] == "9999-12-31"
    assert state["possible"]["never.month"]["date"] == "../9999-12-31"


def record_note(db: str, text: str) -> Result:
    return run(
        "record", "acme", "--type", "note.recorded", "--effective", "2025-02-01", "--note", text,
        "--db", db,
    )  # fmt: skip


def test_a_derived_id_has_64_bits_of_the_content_hash(acme: str) -> None:
    result = record_note(acme, "a note")

    assert result.stderr == "2025-02-01-note-recorded-91bf9d921f9d319a: recorded (acme version 2)\n"


def test_a_derived_id_held_by_another_event_is_lengthened_not_refused(
    acme: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.core.ids

    monkeypatch.setattr(tracker.core.ids, "LENGTHS", (1, 64))  # 16 ids: collisions come soon

    results = [record_note(acme, f"note {n}") for n in range(20)]
    again = record_note(acme, "note 19")

    assert [r.exit_code for r in results] == [0] * 20, [r.output for r in results]
    ids = [r.stderr.split(":")[0] for r in results]
    assert len(set(ids)) == 20
    assert {len(i.removeprefix("2025-02-01-note-recorded-")) for i in ids} == {1, 64}
    assert again.stderr == f"{ids[-1]}: already present (acme version 21)\n"
