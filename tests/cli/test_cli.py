"""The `tracker` command line, end to end through CliRunner on real SQLite files."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.conftest import GOLDEN, RECORD
from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped record; its URL."""
    result = run("import", str(RECORD), "--db", sqlite_url)
    assert result.exit_code == 0, result.output
    return sqlite_url


def without_known_at(data: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in data.items() if k != "known_at"}


def test_state_json_of_2025_01_21_is_the_pinned_state(loaded: str) -> None:
    result = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", loaded)

    assert result.exit_code == 0
    expected = json.loads((GOLDEN / "state-2025-01-21.json").read_text(encoding="utf-8"))
    assert without_known_at(json.loads(result.stdout)) == without_known_at(expected)


def test_state_json_known_at_is_an_utc_timestamp(loaded: str) -> None:
    result = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", loaded)

    assert json.loads(result.stdout)["known_at"].endswith("Z")


def test_diff_json_is_the_pinned_diff(loaded: str) -> None:
    result = run("diff", "2025-01-20", "2025-01-21", "--format", "json", "--db", loaded)

    assert result.exit_code == 0
    expected = json.loads((GOLDEN / "diff-2025-01-20-2025-01-21.json").read_text("utf-8"))
    assert json.loads(result.stdout) == expected


def test_diff_accepts_the_agreement_before_the_dates(loaded: str) -> None:
    result = run(
        "diff", "microsoft-openai", "2030-12-31", "2031-01-01", "--format", "json", "--db", loaded
    )

    assert [(c["term"], c["change"]) for c in json.loads(result.stdout)["changes"]] == [
        ("api.exclusivity", "ended"),
        ("ip.rights", "ended"),
        ("revenue.share", "ended"),
    ]


def test_state_table_fits_100_columns(loaded: str) -> None:
    result = run("state", "--as-of", "2025-01-21", "--format", "table", "--db", loaded)

    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    assert "cloud.exclusivity           2025-01-21     -           reported   3" in result.stdout


def test_log_lists_events_in_effective_order(loaded: str) -> None:
    result = run("log", "--to", "2024-12-31", "--format", "json", "--db", loaded)

    assert [(e["id"], e["effective"]) for e in json.loads(result.stdout)] == [
        ("2019-07-22-agreement-created", "2019-07-22"),
        ("2019-07-22-cloud-exclusive-azure", "2019-07-22"),
        ("2025-01-21-api-exclusive-through-2030", "2023-01-23"),
        ("2024-03-suleyman-hire", "2024-03"),
        ("2024-06-11-oracle-capacity", "2024-06-11"),
        ("2024-06-11-oracle-capacity-blessing", "2024-06-11"),
        ("2024-06-11-cloud-exclusivity-oracle-exception", "2024-06-11"),
        ("2024-oracle-capacity-earlier-in-2024", "2024"),
        ("before-2025-01-21-altman-ouster", "../2025-01-20"),
        ("before-2025-01-21-nyt-strain", "../2025-01-20"),
        ("before-2025-01-21-compute-tensions", "../2025-01-20"),
        ("before-2025-01-21-agi-clause-purpose", "../2025-01-20"),
        ("2025-01-21-ip-rights-through-2030", "../2025-01-20"),
        ("before-2025-01-21-ip-rights-exclusive", "../2025-01-20"),
        ("2025-01-21-revenue-share-through-2030", "../2025-01-20"),
        ("before-2025-01-21-revenue-share-20-percent", "../2025-01-20"),
        ("2025-01-21-agi-clause", "../2025-01-20"),
        ("2025-01-21-agi-clause-waiver-considered", "../2025-01-20"),
        ("2025-01-21-azure-commitment", "../2025-01-21"),
    ]


def test_log_filters_by_term(loaded: str) -> None:
    result = run("log", "--term", "cloud.exclusivity", "--format", "json", "--db", loaded)

    assert [e["id"] for e in json.loads(result.stdout)] == [
        "2019-07-22-cloud-exclusive-azure",
        "2024-06-11-cloud-exclusivity-oracle-exception",
        "2025-01-21-cloud-rofr",
        "2025-01-21-cloud-rofr-if-declined",
    ]


def test_agreements_lists_the_record(loaded: str) -> None:
    result = run("agreements", "--format", "json", "--db", loaded)

    assert json.loads(result.stdout) == [
        {
            "agreement": "microsoft-openai",
            "title": "Microsoft–OpenAI partnership",
            "version": 29,
            "default": False,
        }
    ]


def test_import_twice_writes_nothing_the_second_time(loaded: str) -> None:
    result = run("import", str(RECORD), "--db", loaded)

    assert result.exit_code == 0
    assert result.stderr == f"{RECORD}: 0 events written, 29 already present (version 29)\n"


def test_export_import_export_gives_the_same_file(loaded: str, tmp_path: Path) -> None:
    first = run("export", "--output", str(tmp_path / "a"), "--db", loaded)
    second_db = f"sqlite:///{tmp_path / 'second.db'}"
    imported = run("import", str(tmp_path / "a" / "microsoft-openai.yaml"), "--db", second_db)
    second = run("export", "--output", str(tmp_path / "b"), "--db", second_db)

    assert (first.exit_code, imported.exit_code, second.exit_code) == (0, 0, 0)
    a = (tmp_path / "a" / "microsoft-openai.yaml").read_text("utf-8")
    assert a == (tmp_path / "b" / "microsoft-openai.yaml").read_text("utf-8")
    texts = sorted(p.name for p in (tmp_path / "b" / "sources").iterdir())
    assert texts == [
        "000_a332bb77c450266a.txt",
        "001_da70440169dfad51.txt",
        "002_302973bb3ce8867b.txt",
        "003_8bc8ee487dff25cd.txt",
        "004_c807e076d61d96e1.txt",
        "softbank-2025-01-22.txt",
        "verge-2025-01-21-copy-wilsonsmedia.txt",
        "zdnet-2023-01-23.txt",
    ]


def test_export_to_stdout_is_the_yaml_file(loaded: str) -> None:
    result = run("export", "--db", loaded)

    assert result.exit_code == 0
    assert result.stdout.startswith("agreement: microsoft-openai\ntitle: Microsoft–OpenAI")


def test_record_appends_a_term_and_state_shows_it(loaded: str) -> None:
    recorded = run(
        "record",
        "--type",
        "term.ended",
        "--id",
        "agi-waived",
        "--effective",
        "2026-01-01",
        "--term",
        "agi.clause",
        "--reason",
        "waived",
        "--certainty",
        "reported",
        "--cite",
        "microsoft-blog-2025-01-21",
        "--expected-version",
        "29",
        "--db",
        loaded,
    )
    state = run("state", "--as-of", "2026-01-01", "--format", "json", "--db", loaded)

    assert recorded.exit_code == 0, recorded.output
    assert recorded.stderr == "agi-waived: recorded (microsoft-openai version 30)\n"
    assert json.loads(state.stdout)["ended"]["agi.clause"]["reason"] == "waived"


def test_record_with_a_stale_expected_version_fails_with_one_line(loaded: str) -> None:
    result = run(
        "record",
        "--type",
        "note.recorded",
        "--effective",
        "2026-01-01",
        "--note",
        "x",
        "--expected-version",
        "3",
        "--db",
        loaded,
    )

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: agreement 'microsoft-openai' is at version 29, not the expected 3; "
        "read it again and retry\n"
    )


ORACLE_CHANGES = ("2024-oracle-capacity-earlier-in-2024", "2024-06-11-oracle-capacity-blessing")


def retract_oracle_changes(loaded: str) -> list[int]:
    """Retract the affirmation and the amendment of the Oracle capacity term, which must go
    before the term.set they apply to; their exit codes."""
    return [
        run("retract", change, "--reason", "wrong date", "--effective", "2025-02-01",
            "--db", loaded).exit_code
        for change in ORACLE_CHANGES
    ]  # fmt: skip


def test_retract_removes_a_term_from_the_state(loaded: str) -> None:
    changes = retract_oracle_changes(loaded)
    retracted = run(
        "retract",
        "2024-06-11-oracle-capacity",
        "--reason",
        "wrong date",
        "--effective",
        "2025-02-01",
        "--id",
        "r1",
        "--db",
        loaded,
    )
    state = run("state", "--as-of", "2025-01-20", "--format", "json", "--db", loaded)
    log = run("log", "--to", "2024-12-31", "--format", "table", "--db", loaded)

    assert (changes, retracted.exit_code) == ([0, 0], 0)
    assert list(json.loads(state.stdout)["terms"]) == [
        "agi.clause",
        "api.exclusivity",
        "cloud.exclusivity",
        "ip.rights",
        "revenue.share",
    ]
    assert "[retracted by r1] OpenAI" in log.stdout


def test_retracting_a_term_set_before_its_amendment_is_refused_naming_it(loaded: str) -> None:
    run("retract", ORACLE_CHANGES[0], "--reason", "wrong date", "--db", loaded)

    retracted = run("retract", "2024-06-11-oracle-capacity", "--reason", "wrong date",
                    "--effective", "2025-02-01", "--id", "r0", "--db", loaded)  # fmt: skip

    assert (retracted.exit_code, retracted.stderr) == (
        1,
        "Error: event 'r0': this event.retracted leaves term.amended "
        "'2024-06-11-oracle-capacity-blessing' of 2024-06-11 applying to term "
        "'cloud.third_party_capacity' when it is not in force; retract that event first\n",
    )


def test_agreement_may_be_omitted_only_when_there_is_one(loaded: str, tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "agreement: acme\ntitle: Acme\nparties: [{name: Acme, role: supplier}]\n"
        "events:\n  - {id: acme-1, type: agreement.created, effective: 2025-01-01, title: Acme,"
        " parties: [{name: Acme, role: supplier}]}\n",
        encoding="utf-8",
    )
    run("import", str(other), "--db", loaded)

    result = run("state", "--as-of", "2025-01-21", "--db", loaded)

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: name the agreement (acme, microsoft-openai), or set a default: "
        "tracker agreement default AGREEMENT\n"
    )


def test_default_database_loads_the_shipped_record_and_says_so(tmp_path: Path) -> None:
    first = run("state", "--as-of", "2025-01-21", "--format", "json")
    second = run("state", "--as-of", "2025-01-21", "--format", "json")

    assert first.exit_code == 0, first.output
    assert first.stderr == (
        f"new database at {tmp_path / 'xdg-data' / 'tracker' / 'tracker.db'}; "
        "loaded the shipped record from events/\n"
    )
    assert second.stderr == ""
    assert "cloud.own_capacity" in json.loads(first.stdout)["terms"]


def test_db_current_upgrade_and_downgrade(sqlite_url: str) -> None:
    up = run("db", "upgrade", "--db", sqlite_url)
    at_head = run("db", "current", "--db", sqlite_url)
    down = run("db", "downgrade", "base", "--yes", "--db", sqlite_url)
    at_base = run("db", "current", "--db", sqlite_url)

    assert (at_head.stdout, at_base.stdout) == ("0012\n", "base\n")
    assert (up.stderr, down.stderr) == (
        "database at revision 0012\n",
        "database at revision base\n",
    )


def test_schema_is_json_schema_of_agreement_files() -> None:
    result = run("schema")

    schema = json.loads(result.stdout)
    assert schema["title"] == "tracker agreement file"
    assert schema["required"] == ["agreement", "events"]
    assert schema["properties"]["events"]["items"]["discriminator"]["mapping"].keys() == {
        "agreement.created",
        "term.set",
        "term.amended",
        "term.affirmed",
        "term.ended",
        "term.proposed",
        "proposal.resolved",
        "note.recorded",
        "record.reviewed",
        "event.retracted",
        "event.corrected",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["state", "--as-of", "2025-02-30"], "'2025-02-30' is not a date: use YYYY-MM-DD"),
        (["state", "--known-at", "yesterday"], "'yesterday' is not a timestamp (ISO 8601)"),
        (["diff", "2025-01-20"], "diff takes [AGREEMENT] FROM TO"),
        (["state", "--format", "xml"], "'xml' is not one of 'table', 'json'"),
        (
            ["record", "--type", "term.bogus", "--effective", "2026-01-01"],
            "'term.bogus' is not one",
        ),
        (["state", "--as-of", "20250121"], "'20250121' is not a date: use YYYY-MM-DD"),
        (
            ["state", "--known-at", "0001-01-01T00:00:00+01:00"],
            "'0001-01-01T00:00:00+01:00' is out of range in UTC",
        ),
    ],
)
def test_bad_usage_exits_2_with_a_message(loaded: str, args: list[str], message: str) -> None:
    result = run(*args, "--db", loaded)

    assert result.exit_code == 2
    assert message in result.stderr
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["state", "nope"], "Error: no agreement 'nope' (agreements: microsoft-openai)\n"),
        (["retract", "nope", "--reason", "x"], "Error: no event 'nope'\n"),
        (
            [
                "record",
                "--type",
                "term.set",
                "--effective",
                "2026-01-01",
                "--term",
                "a.b",
                "--value",
                "{}",
            ],
            "Error: field summary: required\n",
        ),
        (
            [
                "record",
                "--type",
                "term.set",
                "--effective",
                "2026-01-01",
                "--term",
                "a.b",
                "--summary",
                "s",
                "--value",
                "[1]",
            ],
            "Error: --value must be a JSON object\n",
        ),
        (
            ["db", "upgrade", "9999"],
            "Error: cannot upgrade to '9999': Can't locate revision identified by '9999'\n",
        ),
        (
            ["state", "--db", "sqlite:////etc/hostname/x.db"],
            "Error: no database at '/etc/hostname/x.db'; check the path (`tracker import` or "
            "`tracker db upgrade` creates a new database)",
        ),
        (
            ["state", "--db", "postgresql://u:secret@host:abc/x"],
            "Error: cannot use database URL (unreadable URL): invalid literal for int()",
        ),
        (["state", "--db", ""], "Error: the database URL is empty"),
        (
            [
                "record",
                "--type",
                "term.set",
                "--effective",
                "2026-01-01",
                "--term",
                "a.b",
                "--summary",
                "s",
                "--value",
                '{"n": NaN}',
            ],
            "Error: field value: numbers must be finite (no NaN or infinity)",
        ),
        (["explain", "no.such"], "Error: no term 'no.such' in 'microsoft-openai' (terms: "),
        (
            [
                "record",
                "--type",
                "proposal.resolved",
                "--effective",
                "2024-01-01",
                "--proposal",
                "2025-01-21-agi-clause",
                "--resolution",
                "rejected",
            ],
            "Error: event '2024-01-01-proposal-resolved-bebe415c01d4d129': "
            "'2025-01-21-agi-clause' is not"
            " a proposal: its type is term.set, not term.proposed",
        ),
    ],
)
def test_domain_errors_exit_1_with_one_line(loaded: str, args: list[str], message: str) -> None:
    db = [] if "--db" in args else ["--db", loaded]

    result = run(*args, *db)

    assert result.exit_code == 1
    assert result.stderr.startswith(message)
    assert result.stderr.count("\n") == 1
    assert "secret" not in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_unreachable_database_is_a_one_line_error() -> None:
    result = run("state", "--db", "postgresql://nobody@127.0.0.1:1/none")

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert result.stderr.count("\n") == 1


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand, as the words that name it, looked up as click does."""
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(command_paths(command, (*prefix, name)))
    return found


def test_every_command_has_help_with_an_example() -> None:
    paths = command_paths(cli)

    assert len(paths) == 31
    for path in paths:
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert "Example: tracker" in result.stdout, path


def test_conflicts_json_is_the_pinned_conflicts(loaded: str) -> None:
    result = run("conflicts", "--format", "json", "--db", loaded)

    assert result.exit_code == 0
    expected = json.loads((GOLDEN / "conflicts.json").read_text("utf-8"))
    assert json.loads(result.stdout) == expected


def test_sources_verify_passes_on_the_shipped_record(loaded: str) -> None:
    result = run("sources", "verify", "--dir", str(RECORD.parent), "--db", loaded)

    assert result.exit_code == 0
    assert result.stderr == "every stored quote and text matches\n"


def test_sources_verify_exits_1_naming_an_edited_file(loaded: str, tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    for path in (RECORD.parent / "sources").iterdir():
        (tmp_path / "sources" / path.name).write_bytes(path.read_bytes())
    edited = tmp_path / "sources" / "004_c807e076d61d96e1.txt"
    edited.write_text("rewritten", encoding="utf-8")

    result = run("sources", "verify", "--dir", str(tmp_path), "--db", loaded)

    assert result.exit_code == 1
    assert result.stdout == (
        f"source 'unknown-stargate-adjustment': {edited} differs from the stored text\n"
    )
    assert result.stderr == "Error: sources verify found 1 problem, listed above\n"


def test_sources_lists_each_source_with_its_counts(loaded: str) -> None:
    result = run("sources", "--format", "json", "--db", loaded)

    rows = json.loads(result.stdout)
    assert [(r["id"], r["stored_text"]) for r in rows][:5] == [
        ("microsoft-blog-2023-01-23", False),
        ("microsoft-blog-2025-01-21", False),
        ("microsoft-news-2019-07-22", False),
        ("oracle-2024-06-11", False),
        ("softbank-2025-01-22", True),
    ]


def test_state_json_carries_corroboration(loaded: str) -> None:
    result = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", loaded)

    assert json.loads(result.stdout)["terms"]["cloud.azure_commitment"]["corroboration"] == {
        "independent": 1,
        "sources": [
            "microsoft-blog-2025-01-21",
            "unknown-ends-exclusive-cloud",
            "unknown-stargate-adjustment",
        ],
        "unverified": ["microsoft-blog-2025-01-21"],
    }


def test_explain_lists_the_chain_behind_a_term(loaded: str) -> None:
    result = run(
        "explain", "cloud.exclusivity", "--as-of", "2025-01-21", "--format", "json", "--db", loaded
    )

    data = json.loads(result.stdout)
    assert [(s["event"], s["status"]) for s in data["chain"]] == [
        ("2019-07-22-cloud-exclusive-azure", "counts"),
        ("2024-06-11-cloud-exclusivity-oracle-exception", "counts"),
        ("2025-01-21-cloud-rofr", "counts"),
        ("2025-01-21-cloud-rofr-if-declined", "counts"),
    ]
    assert data["state"]["value"]["model"] == "right_of_first_refusal"


def test_explain_table_marks_a_retracted_event_with_its_reason(loaded: str) -> None:
    retract_oracle_changes(loaded)
    run(
        "retract",
        "2024-06-11-oracle-capacity",
        "--reason",
        "wrong date",
        "--id",
        "r1",
        "--db",
        loaded,
    )

    result = run(
        "explain",
        "cloud.third_party_capacity",
        "--as-of",
        "2025-01-21",
        "--format",
        "table",
        "--db",
        loaded,
    )

    assert "2024-06-11  term.set  2024-06-11-oracle-capacity [retracted by r1: wrong date]" in (
        result.stdout
    )
    assert "not in force" in result.stdout


def test_knowledge_diff_between_two_moments(loaded: str) -> None:
    before = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", loaded)
    moment = json.loads(before.stdout)["known_at"]
    run("retract", "2025-01-21-agi-clause", "--reason", "doubt", "--id", "r1", "--db", loaded)

    result = run(
        "diff",
        "--as-of",
        "2025-01-21",
        "--known-at",
        moment,
        "--known-at",
        "2100-01-01",
        "--format",
        "json",
        "--db",
        loaded,
    )

    data = json.loads(result.stdout)
    assert (data["as_of"], data["from"], data["to"]) == (
        "2025-01-21",
        moment,
        "2100-01-01T23:59:59.999999Z",
    )
    assert [(c["term"], c["change"], c["events"]) for c in data["changes"]] == [
        ("agi.clause", "ended", ["r1"])
    ]


def test_knowledge_diff_needs_exactly_two_known_at(loaded: str) -> None:
    result = run("diff", "--as-of", "2025-01-21", "--known-at", "2025-02-01", "--db", loaded)

    assert result.exit_code == 2
    assert "diff --as-of D takes [AGREEMENT] and exactly two --known-at" in result.stderr


def test_export_keeps_term_values_that_look_like_dates_as_they_are(
    loaded: str, tmp_path: Path
) -> None:
    value = '{"expires": "end of 2030", "expiry_code": "20301231"}'
    run(
        "record",
        "--type",
        "term.set",
        "--id",
        "odd",
        "--effective",
        "2026-01-01",
        "--term",
        "odd.value",
        "--summary",
        "s",
        "--value",
        value,
        "--db",
        loaded,
    )
    second = f"sqlite:///{tmp_path / 'second.db'}"

    first = run("export", "--output", str(tmp_path / "a"), "--db", loaded)
    run("import", str(tmp_path / "a" / "microsoft-openai.yaml"), "--db", second)
    state = run("state", "--as-of", "2026-01-01", "--format", "json", "--db", second)

    assert first.exit_code == 0, first.output
    assert json.loads(state.stdout)["terms"]["odd.value"]["value"] == {
        "expires": "end of 2030",
        "expiry_code": "20301231",
    }


def test_export_to_stdout_says_the_source_texts_are_not_in_it(loaded: str) -> None:
    result = run("export", "--db", loaded)

    assert result.stderr == ("source texts are not in this output; --output DIR writes them too\n")


def test_importing_several_files_writes_none_when_one_fails(loaded: str, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(
        "agreement: acme\ntitle: Acme\nparties: [{name: Acme, role: supplier}]\n"
        "events:\n  - {id: acme-1, type: agreement.created, effective: 2025-01-01, title: Acme,"
        " parties: [{name: Acme, role: supplier}]}\n",
        encoding="utf-8",
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text("utf-8").replace("acme", "zeta")
        + "  - {id: r, type: event.retracted, effective: 2025-02-01, target: nowhere, reason: x}\n",
        encoding="utf-8",
    )

    result = run("import", str(good), str(bad), "--db", loaded)
    listed = run("agreements", "--format", "json", "--db", loaded)

    assert result.exit_code == 1
    assert result.stderr == f"Error: {bad}: event 'r' refers to unknown event 'nowhere' in 'zeta'\n"
    assert [a["agreement"] for a in json.loads(listed.stdout)] == ["microsoft-openai"]


def test_export_onto_a_file_is_one_line_and_exit_1(loaded: str, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")

    result = run("export", "--output", str(tmp_path / "file" / "sub"), "--db", loaded)

    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: cannot write to {tmp_path / 'file' / 'sub'}: ")


def test_record_offers_every_event_type() -> None:
    from tracker.core.events import EVENT_TYPES

    result = run("record", "--help")

    offered = result.stdout.split("--type [", 1)[1].split("]", 1)[0].split("|")
    assert set(offered) == set(EVENT_TYPES)


def test_record_without_id_names_events_by_content_so_they_never_collide(
    loaded: str, tmp_path: Path
) -> None:
    note = ("record", "--type", "note.recorded", "--effective", "2026-01-01", "--note")
    other = tmp_path / "other.yaml"
    other.write_text(
        "agreement: other\ntitle: Other\nparties: [{name: A, role: buyer}]\n"
        "events:\n- {id: other-1, type: agreement.created, effective: 2025-01-01,"
        " title: Other, parties: [{name: A, role: buyer}]}\n",
        encoding="utf-8",
    )
    run("import", str(other), "--db", loaded)

    first = run(*note, "first", "microsoft-openai", "--db", loaded)
    second = run(*note, "second", "microsoft-openai", "--db", loaded)
    elsewhere = run(*note, "first", "other", "--db", loaded)
    again = run(*note, "second", "microsoft-openai", "--db", loaded)

    ids = [r.stderr.split(":")[0] for r in (first, second, elsewhere)]
    assert [r.exit_code for r in (first, second, elsewhere, again)] == [0, 0, 0, 0]
    assert len(set(ids)) == 3
    assert all(i.startswith("2026-01-01-note-recorded-") for i in ids)
    assert second.stderr.endswith(": recorded (microsoft-openai version 31)\n")
    assert again.stderr == f"{ids[1]}: already present (microsoft-openai version 31)\n"


def test_sources_lists_by_default_and_as_a_subcommand(loaded: str) -> None:
    bare = run("sources", "--format", "json", "--db", loaded)
    named = run("sources", "microsoft-openai", "--format", "json", "--db", loaded)
    listed = run("sources", "list", "microsoft-openai", "--format", "json", "--db", loaded)

    assert bare.exit_code == named.exit_code == listed.exit_code == 0
    assert bare.stdout == named.stdout == listed.stdout
    assert len(json.loads(listed.stdout)) == 14


def test_an_agreement_named_verify_can_be_listed(loaded: str) -> None:
    result = run("sources", "list", "verify", "--db", loaded)

    assert result.exit_code == 1
    assert result.stderr == "Error: no agreement 'verify' (agreements: microsoft-openai)\n"
