"""Conventions people bring from git, sqlite-utils and gh: -h, suggestions, bare help, dates
in words, --debug, completion, one agreement's upcoming, CSV and Markdown, grouped numbers."""

from __future__ import annotations

import datetime as dt
import gc
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD, ROOT
from tracker.cli import cli, main

ACME = Path(__file__).resolve().parent.parent / "fixtures" / "acme-supply.yaml"
README = (ROOT / "README.md").read_text(encoding="utf-8")


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="tracker", env=env)


def tracker(*args: str) -> subprocess.CompletedProcess[str]:
    """The console script in a fresh process, where no command module is loaded yet."""
    code = f"import sys\nfrom tracker.cli import main\nsys.argv = ['tracker', *{args!r}]\nmain()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture
def acme(sqlite_url: str) -> str:
    """A database holding the small supply deal alone (no sources, no conflicts)."""
    assert run("import", str(ACME), "--db", sqlite_url).exit_code == 0
    return sqlite_url


@pytest.fixture
def both(acme: str) -> str:
    """The supply deal and the shipped record."""
    assert run("import", str(RECORD), "--db", acme).exit_code == 0
    return acme


def every_command(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found = [path]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += every_command(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def test_point_15_dash_h_is_help() -> None:
    commands = every_command(cli)

    differing = [c for c in commands if run(*c, "-h").output != run(*c, "--help").output]
    failing = [c for c in commands if run(*c, "-h").exit_code != 0]

    assert len(commands) > 20
    assert (differing, failing) == ([], [])
    assert run("-h").output.startswith("Usage: tracker [OPTIONS] COMMAND [ARGS]...\n")


def test_point_15_did_you_mean_for_commands() -> None:
    result = tracker("stat")

    assert result.returncode == 2
    assert result.stderr == (
        "Usage: tracker [OPTIONS] COMMAND [ARGS]...\n"
        "Try 'tracker --help' for help.\n"
        "\n"
        "Error: No such command 'stat'. Did you mean 'state'?\n"
    )


def test_point_15_bare_tracker_prints_help_with_exit_0() -> None:
    result = tracker()

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == tracker("--help").stdout


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2025-01", "2025-01-31"),
        ("2024-02", "2024-02-29"),
        ("2024", "2024-12-31"),
        ("today", str(dt.datetime.now(dt.UTC).date())),
        ("yesterday", str(dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1))),
    ],
)
def test_point_15_as_of_today_yesterday_month_year(acme: str, written: str, day: str) -> None:
    result = run("state", "--as-of", written, "--format", "json", "--db", acme)

    assert result.exit_code == 0
    assert json.loads(result.stdout)["as_of"] == day


def test_point_15_every_date_option_takes_a_month(acme: str) -> None:
    result = run("log", "--to", "2029-01", "--format", "csv", "--db", acme)

    assert result.stdout == (
        "EFFECTIVE,VER,TYPE,TERM,EVENT AND WHAT IT DID\n"
        '2029-01-01,1,agreement.created,-,"acme-created\nAcme widget supply"\n'
        '2029-01-01,2,term.set,supply.volume,"acme-volume\nTen thousand widgets a month"\n'
        '2029-01-01,3,term.set,price.unit,"acme-price\n'
        'Unit price 2.75 USD until the index review"\n'
    )


def test_point_15_a_date_in_no_known_form_lists_the_forms(acme: str) -> None:
    result = run("state", "--as-of", "2025/01", "--db", acme)

    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--as-of': '2025/01' is not a date: use YYYY-MM-DD, "
        "YYYY-MM (its last day), YYYY (its last day), today or yesterday\n"
    )


def fail_on_agreements(*_args: object) -> None:
    raise RuntimeError("boom")


def run_main(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    """`main()` in this process (so that a defect can be planted); its exit status."""
    monkeypatch.setenv("PYDANTIC_DISABLE_PLUGINS", "__all__")
    monkeypatch.setattr("tracker.service.Tracker.agreements", fail_on_agreements)
    monkeypatch.setattr(sys, "argv", ["tracker", *args])
    try:
        main()
    except SystemExit as e:
        return int(e.code or 0)
    finally:
        gc.enable()
    return 0


def test_point_15_a_defect_is_one_line_without_debug(
    acme: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_main(monkeypatch, "agreements", "--db", acme)

    assert (status, capsys.readouterr().err) == (1, "Error: unexpected RuntimeError: boom\n")


@pytest.mark.parametrize("switch", ["--debug", "TRACKER_DEBUG=1"])
def test_point_15_debug_shows_the_traceback(
    acme: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], switch: str
) -> None:
    if switch.startswith("TRACKER_DEBUG"):
        monkeypatch.setenv("TRACKER_DEBUG", "1")
    flags = ["--debug"] if switch == "--debug" else []

    status = run_main(monkeypatch, *flags, "agreements", "--db", acme)

    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err[0] == "Traceback (most recent call last):"
    assert err[-2:] == ['    raise RuntimeError("boom")', "RuntimeError: boom"]


def test_point_15_shell_completion_is_documented_and_produced() -> None:
    script = run(env={"_TRACKER_COMPLETE": "bash_source"})
    words = {"_TRACKER_COMPLETE": "bash_complete", "COMP_WORDS": "tracker sta", "COMP_CWORD": "1"}

    completed = run(env=words)

    assert 'eval "$(_TRACKER_COMPLETE=bash_source tracker)"' in README
    assert "    complete -o nosort -F _tracker_completion tracker\n" in script.output
    assert (completed.exit_code, completed.output) == (0, "plain,state\n")


def test_point_15_upcoming_agreement_limits_it_to_one(both: str) -> None:
    result = run(
        "upcoming", "acme-supply", "--as-of", "2030-10-15", "--format", "json", "--db", both
    )

    assert json.loads(result.stdout) == {
        "as_of": "2030-10-15",
        "until": "2031-01-13",
        "coverage": {
            "acme-supply": {
                "through": "2030-09-01",
                "beyond": True,
                "reviewed": False,
                "event": "acme-price-rise",
            }
        },
        "items": [
            {
                "kind": "expires",
                "date": "2030-11-30",
                "agreement": "acme-supply",
                "term": "supply.volume",
                "summary": "Ten thousand widgets a month",
                "condition": None,
                "event": "acme-volume",
                "certainty": "confirmed",
            },
            {
                "kind": "proposal",
                "date": "2030-09-01",
                "agreement": "acme-supply",
                "term": "price.unit",
                "summary": "Acme asks for 2.90 USD a unit",
                "condition": None,
                "event": "acme-price-rise",
                "certainty": "reported",
            },
            {
                "kind": "condition",
                "date": None,
                "agreement": "acme-supply",
                "term": "price.unit",
                "summary": "Unit price 2.75 USD until the index review",
                "condition": "the steel price index is reviewed",
                "event": "acme-price",
                "certainty": "confirmed",
            },
        ],
    }


def test_point_15_state_as_csv_with_the_note_on_stderr(acme: str) -> None:
    result = run("state", "--as-of", "2030-10-15", "--format", "csv", "--db", acme)

    assert result.stdout == (
        "SECTION,TERM,SINCE,EXPIRES,CERTAINTY,INDEP,SUMMARY,EVENT,ENDED,REASON,DATE,CHANGE,IF SO\n"
        "Terms in force,price.unit,2029-01-01,-,confirmed,0,"
        "Unit price 2.75 USD until the index review,,,,,,\n"
        "Terms in force,supply.volume,2029-01-01,2030-11-30,confirmed,0,"
        "Ten thousand widgets a month,,,,,,\n"
        "Pending proposals,price.unit,2030-09-01,,reported,,Acme asks for 2.90 USD a unit,"
        "acme-price-rise,,,,,\n"
    )
    assert result.stderr == (
        "Note: the record states no coverage; nothing is recorded after 2030-09-01\n"
    )


def test_point_15_state_as_markdown(acme: str) -> None:
    result = run("state", "--as-of", "2030-10-15", "--format", "markdown", "--db", acme)

    assert result.stdout == (
        "**Terms in force**\n\n"
        "| TERM | SINCE | EXPIRES | CERTAINTY | INDEP | SUMMARY |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| price.unit | 2029-01-01 | - | confirmed | 0 "
        "| Unit price 2.75 USD until the index review |\n"
        "| supply.volume | 2029-01-01 | 2030-11-30 | confirmed | 0 "
        "| Ten thousand widgets a month |\n"
        "\n**Pending proposals**\n\n"
        "| TERM | SINCE | CERTAINTY | EVENT | SUMMARY |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| price.unit | 2030-09-01 | reported | acme-price-rise | Acme asks for 2.90 USD a unit |\n"
        "\n**Ended**\n\n"
        "| TERM | ENDED | REASON | CERTAINTY | SUMMARY |\n"
        "| --- | --- | --- | --- | --- |\n"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["agreements", "--format", "markdown"],
            "| AGREEMENT | VERSION | DEFAULT | TITLE |\n| --- | --- | --- | --- |\n"
            "| acme-supply | 4 |  | Acme widget supply |\n",
        ),
        (["sources", "--format", "csv"], "SOURCE,TEXT,SUPPORTS,CONTRADICTS,DERIVED FROM\n"),
        (
            ["terms", "price.unit", "--as-of", "2030-10-15", "--format", "csv"],
            "AGREEMENT,STATUS,DATE,EXPIRES,CERTAINTY,SUMMARY\n"
            "acme-supply,in force,2029-01-01,-,confirmed,"
            "Unit price 2.75 USD until the index review\n",
        ),
        (
            ["upcoming", "--as-of", "2030-10-15", "--format", "csv"],
            "WHEN,AGREEMENT,TERM,CERTAINTY,WHAT\n"
            "2030-11-30 (in 46 days),acme-supply,supply.volume,confirmed,"
            "expires: Ten thousand widgets a month\n"
            "pending since 2030-09-01,acme-supply,price.unit,reported,"
            "proposed: Acme asks for 2.90 USD a unit (acme-price-rise)\n"
            "when a condition is met,acme-supply,price.unit,confirmed,"
            "ends when the steel price index is reviewed: "
            "Unit price 2.75 USD until the index review\n",
        ),
    ],
)
def test_point_15_csv_and_markdown_where_rows_are_a_table(
    acme: str, args: list[str], expected: str
) -> None:
    result = run(*args, "--db", acme)

    assert (result.exit_code, result.stdout) == (0, expected)


def test_point_15_thousands_separators_for_people_only(acme: str) -> None:
    args = ["explain", "supply.volume", "--as-of", "2030-01-01", "--db", acme]

    table = run(*args, "--format", "table").stdout
    data = json.loads(run(*args, "--format", "json").stdout)

    assert "\n  per_month  10,000  2029-01-01  confirmed  acme-volume\n" in table
    assert data["state"]["value"] == {"per_month": 10000}


def test_point_15_the_shipped_profit_threshold_is_grouped_in_the_log(sqlite_url: str) -> None:
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0

    result = run("log", "--term", "agi.clause", "--format", "table", "--db", sqlite_url)

    assert "+ value.profit_threshold_usd: 100,000,000,000\n" in result.stdout


def test_point_15_years_and_small_numbers_are_not_grouped() -> None:
    from tracker.cli.screen import spelled

    shown = spelled({"year": 2030, "usd": 2.75, "units": [12000, 1234567.5], "ok": True})

    assert shown == '{"year": 2030, "usd": 2.75, "units": [12,000, 1,234,567.5], "ok": true}'


def test_point_15_conflicts_with_none_prints_none(acme: str) -> None:
    result = run("conflicts", "--format", "table", "--db", acme)

    assert result.stdout == (
        "acme-supply: facts the sources disagree on\n"
        "\n"
        "  (none)\n"
        "\n"
        "Facts resting on a single independent source\n"
        "  (none)\n"
        "\n"
        "Fields resting on a single independent source\n"
        "  (none)\n"
    )


def test_point_15_csv_and_markdown_show_control_characters_escaped() -> None:
    from tracker.cli.sheets import Sheet, as_csv, as_markdown

    sheet = Sheet("Rows", ["A", "B"], [["bell\x07", "a | b"]])

    assert as_csv([sheet]) == "A,B\nbell\\x07,a | b\n"
    assert as_markdown([sheet]) == "| A | B |\n| --- | --- |\n| bell\\\\x07 | a \\| b |\n"
