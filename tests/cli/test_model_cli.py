"""The new model's errors from the command line: one line, exit 1, nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import loaded, run  # noqa: F401 (loaded is a fixture)


def version(db: str) -> int:
    rows = json.loads(run("agreements", "--format", "json", "--db", db).stdout)
    return int(rows[0]["version"])


def test_amending_a_term_not_in_force_is_one_line_and_writes_nothing(loaded: str) -> None:  # noqa: F811
    result = run(
        "record", "--type", "term.amended", "--id", "cap", "--effective", "2019",
        "--term", "revenue.share", "--changes", '{"cap_usd": 38000000000}', "--db", loaded,
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (
        1,
        "Error: event 'cap': term 'revenue.share' is not in force on 2019; term.amended"
        " applies to a term in force (term.set puts one in force)\n",
    )
    assert version(loaded) == 29


def test_a_date_outside_the_supported_forms_is_one_line_and_writes_nothing(
    loaded: str,  # noqa: F811
) -> None:
    result = run(
        "record", "--type", "note.recorded", "--effective", "spring 2024", "--note", "x",
        "--db", loaded,
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (
        1,
        "Error: field effective: 'spring 2024' is not a day (2024-06-11), a month"
        " (2024-06), a year (2024) or on or before a day (../2024-06-11)\n",
    )
    assert version(loaded) == 29


def test_a_source_reused_with_other_content_is_one_line_and_writes_nothing(
    loaded: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    amendment = tmp_path / "amend.yaml"
    amendment.write_text(
        "agreement: microsoft-openai\n"
        "sources:\n  - {id: oracle-2024-06-11, title: Another title}\n"
        "events:\n  - {id: n1, type: note.recorded, effective: 2026-01-01, note: x}\n",
        encoding="utf-8",
    )

    result = run("import", str(amendment), "--db", loaded)

    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {amendment}: source 'oracle-2024-06-11' is already stored with other content"
        " (it differs in title, publisher, url, published); give the new version another id\n",
    )
    assert version(loaded) == 29


def test_an_amendment_file_imports_on_top_of_the_shipped_record(
    loaded: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    amendment = tmp_path / "amend.yaml"
    amendment.write_text(
        "agreement: microsoft-openai\n"
        "events:\n  - {id: cap, type: term.amended, effective: 2026-04, term: revenue.share,"
        " certainty: reported, changes: {cap_usd: 38000000000}}\n",
        encoding="utf-8",
    )

    result = run("import", str(amendment), "--db", loaded)
    state = json.loads(
        run("state", "--as-of", "2026-05-01", "--format", "json", "--db", loaded).stdout
    )

    assert (result.exit_code, result.stderr) == (
        0,
        f"{amendment}: 1 event written, 0 already present (version 30)\n",
    )
    assert state["terms"]["revenue.share"]["fields"]["cap_usd"] == {
        "value": 38000000000,
        "since": "2026-04",
        "certainty": "reported",
        "events": ["cap"],
        "sources": [],
    }


def test_log_table_and_json_both_count_only_what_was_published_by_the_date(
    loaded: str,  # noqa: F811
) -> None:
    args = ("log", "--published-by", "2019-12-31", "--db", loaded)

    table = run(*args, "--format", "table")
    listed = json.loads(run(*args, "--format", "json").stdout)

    assert [e["id"] for e in listed] == [
        "2019-07-22-agreement-created",
        "2019-07-22-cloud-exclusive-azure",
    ]
    assert "2019-07-22-cloud-exclusive-azure" in table.stdout
    assert "2024-06-11" not in table.stdout
    assert "2025-01-21" not in table.stdout
