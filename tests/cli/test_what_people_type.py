"""What a person types by hand, answered as they would expect: a database by its path, a
folder to import, a misspelled agreement or term, an unquoted comma, a month of publication,
an export folder that already holds files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_point_9_db_accepts_a_path_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    written = run("import", str(RECORD), "--db", "mine.db")

    result = run("agreements", "--format", "json", "--db", str(tmp_path / "mine.db"))

    assert written.exit_code == 0, written.output
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "[\n"
        "  {\n"
        '    "agreement": "microsoft-openai",\n'
        '    "title": "Microsoft–OpenAI partnership",\n'
        '    "version": 29,\n'
        '    "default": false\n'
        "  }\n"
        "]\n"
    )
    assert run("db", "path", "--db", "mine.db").stdout == f"{tmp_path / 'mine.db'}\n"


CREATED = """\
agreement: acme
title: Acme supply
parties: [{name: Acme, role: supplier}]
events:
  - {id: acme-1, type: agreement.created, effective: 2024-01-01, title: Acme supply,
     parties: [{name: Acme, role: supplier}]}
  - {id: acme-2, type: term.set, effective: 2024-01-01, term: price.unit, summary: Two USD,
     value: {usd: 2}}
"""
AMENDED = """\
agreement: acme
events:
  - {id: acme-3, type: term.amended, effective: 2024-06-01, term: price.unit,
     changes: {usd: 3}}
"""


def test_point_10_import_reads_a_folders_agreement_files_creating_ones_first(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "files"
    (folder / "sources").mkdir(parents=True)
    (folder / "a-amendment.yaml").write_text(AMENDED, encoding="utf-8")
    (folder / "b-agreement.yaml").write_text(CREATED, encoding="utf-8")
    (folder / "notes.txt").write_text("not an agreement file", encoding="utf-8")

    result = run("import", str(folder), "--db", str(tmp_path / "t.db"))
    empty = run("import", str(folder / "sources"), "--db", str(tmp_path / "t.db"))

    assert result.exit_code == 0, result.output
    assert result.stderr == (
        f"{folder}: 2 agreement files (*.yaml); those that create an agreement are written first\n"
        f"{folder / 'a-amendment.yaml'}: 1 event written, 0 already present (version 3)\n"
        f"{folder / 'b-agreement.yaml'}: 2 events written, 0 already present (version 2)\n"
    )
    assert empty.exit_code == 1
    assert empty.stderr == (
        f"Error: {folder / 'sources'}: a folder with no agreement files (*.yaml) in it\n"
    )


def test_point_18_export_refuses_to_overwrite_or_write_through_a_link(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    run("import", str(RECORD), "--db", db)
    folder = tmp_path / "out"
    folder.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n", encoding="utf-8")
    (folder / "microsoft-openai.yaml").symlink_to(outside)

    linked = run("export", "--output", str(folder), "--force", "--db", db)
    (folder / "microsoft-openai.yaml").unlink()
    (folder / "microsoft-openai.yaml").write_text("mine\n", encoding="utf-8")
    existing = run("export", "--output", str(folder), "--db", db)
    forced = run("export", "--output", str(folder), "--force", "--db", db)
    again = run("export", "--output", str(folder), "--db", db)

    assert (linked.exit_code, linked.stderr) == (
        1,
        f"Error: {folder / 'microsoft-openai.yaml'} is a symbolic link; an export writes no "
        "file through one (remove it)\n",
    )
    assert outside.read_text("utf-8") == "keep me\n"
    assert (existing.exit_code, existing.stderr) == (
        1,
        f"Error: {folder / 'microsoft-openai.yaml'} already exists with other content; "
        "pass --force to overwrite it\n",
    )
    assert (forced.exit_code, forced.stderr) == (0, f"wrote {folder / 'microsoft-openai.yaml'}\n")
    assert (again.exit_code, again.stderr) == (0, f"wrote {folder / 'microsoft-openai.yaml'}\n")


def test_point_11_an_amendment_of_a_misspelt_agreement_is_told_it_is_unknown(
    tmp_path: Path,
) -> None:
    amendment = tmp_path / "amendment.yaml"
    amendment.write_text(
        "agreement: microsoft-opanai\n"
        "events:\n"
        "  - {id: 2025-01-21-cloud-rofr, type: term.affirmed, effective: 2025-06-01,\n"
        "     term: cloud.exclusivity}\n",
        encoding="utf-8",
    )

    on_a_new_database = run("import", str(amendment), "--db", str(tmp_path / "new.db"))
    run("import", str(RECORD), "--db", str(tmp_path / "t.db"))
    beside_the_record = run("import", str(amendment), "--db", str(tmp_path / "t.db"))

    assert (on_a_new_database.exit_code, on_a_new_database.stderr) == (
        1,
        f"Error: {amendment}: agreement 'microsoft-opanai' is unknown (the database holds "
        "none); import the file that creates it (with agreement.created) first, or with this "
        "one\n",
    )
    assert (beside_the_record.exit_code, beside_the_record.stderr) == (
        1,
        f"Error: {amendment}: agreement 'microsoft-opanai' is unknown "
        "(did you mean 'microsoft-openai'?)\n",
    )


def test_point_13_an_unquoted_comma_in_a_flow_value_is_hinted_at(tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text(
        CREATED.replace("summary: Two USD", "summary: build, train and deploy"), encoding="utf-8"
    )

    result = run("import", str(file), "--db", str(tmp_path / "t.db"))

    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {file}: event 'acme-2': unknown field 'train and deploy'; a comma ends a value "
        'inside {…}: quote a value that holds one ("build, train")\n',
    )


def test_point_12_term_change_and_quote_errors_name_the_file_and_the_terms(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "t.db")
    run("import", str(RECORD), "--db", db)
    misspelt, early, misquoted = (tmp_path / f"{name}.yaml" for name in ("a", "b", "c"))
    header = "agreement: microsoft-openai\nevents:\n  - {id: y-1, effective: 2025-06-01, "
    misspelt.write_text(
        header + "type: term.amended, term: cloud.exclusivty, changes: {a: 1}}\n", "utf-8"
    )
    early.write_text(
        header.replace("2025-06-01", "2019-08-01")
        + "type: term.amended, term: revenue.share, changes: {a: 1}}\n",
        "utf-8",
    )
    misquoted.write_text(
        header + "type: term.affirmed, term: cloud.exclusivity,\n"
        "     sources: [{source: verge-2025-01-21-capture, quote: not there}]}\n",
        "utf-8",
    )

    results = [run("import", str(f), "--db", db) for f in (misspelt, early, misquoted)]

    assert [(r.exit_code, r.stderr) for r in results] == [
        (
            1,
            f"Error: {misspelt}: event 'y-1': term 'cloud.exclusivty' was never set in "
            "'microsoft-openai' (terms: agi.clause, api.exclusivity, cloud.azure_commitment, "
            "cloud.exclusivity, cloud.own_capacity, cloud.third_party_capacity, ip.rights, "
            "revenue.share)\n",
        ),
        (
            1,
            f"Error: {early}: event 'y-1': term 'revenue.share' is not in force on "
            "2019-08-01; term.amended applies to a term in force (term.set puts one in force)\n",
        ),
        (
            1,
            f"Error: {misquoted}: event 'y-1': field sources.0.quote: not in source "
            "'verge-2025-01-21-capture'; closest passage: 'Skip to'\n",
        ),
    ]


def test_point_14_a_month_of_publication_is_refused_saying_what_to_write(
    tmp_path: Path,
) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text(
        CREATED.replace(
            "events:", 'sources:\n  - {id: memo, title: "Memo", published: 2023-09}\nevents:'
        ),
        encoding="utf-8",
    )

    result = run("import", str(file), "--db", str(tmp_path / "t.db"))

    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {file}: field sources.0.published: '2023-09' is not a date (YYYY-MM-DD); a "
        "source's published is one day: write the day by which it was surely out (2023-09-30), "
        "as --published-by reads it, or leave it out\n",
    )


def test_point_4_published_by_keeps_a_retracted_event_retracted(tmp_path: Path) -> None:
    import json

    mended, withdrawn = str(tmp_path / "mended.db"), str(tmp_path / "withdrawn.db")
    for db in (mended, withdrawn):
        run("import", str(RECORD), "--db", db)
    retract = ("retract", "2025-01-21-cloud-own-capacity", "--effective", "2025-02-01")
    run(*retract, "--reason", "misread", "--db", mended)
    cited = run(
        *retract, "--reason", "withdrawn", "--cite", "techcrunch-2025-01-21", "--db", withdrawn
    )
    state = ("state", "--as-of", "2025-02-01", "--published-by", "2025-01-21", "--format", "json")

    terms = [
        sorted(json.loads(run(*state, "--db", db).stdout)["terms"]) for db in (mended, withdrawn)
    ]

    assert cited.exit_code == 0, cited.output
    assert (
        terms
        == [
            [
                "agi.clause",
                "api.exclusivity",
                "cloud.azure_commitment",
                "cloud.exclusivity",
                "cloud.third_party_capacity",
                "ip.rights",
                "revenue.share",
            ]
        ]
        * 2
    )
