"""`tracker timeline`: one row per term, a bar per period in force, fitted to the terminal."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.cli.see import agreement_file, golden, run, steady, term_set, widest
from tests.conftest import RECORD
from tests.unit.test_json_output import standard

LEGEND_AT_100 = (
    "━ confirmed  ─ reported  ┄ rumored  │ value changed  ┤ expired  × ended  → still in force  "
    "◆\nproposal pending  ◇ proposal resolved\n"
)


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped record; its URL."""
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    return sqlite_url


@pytest.fixture
def lease(tmp_path: Path, sqlite_url: str) -> str:
    """A lease: rent raised once, a break clause terminated, a proposal rejected."""
    path = agreement_file(
        tmp_path,
        "harbor-lease",
        [
            term_set("rent-1", "rent", "2020-01-01", "Rent 1000 a month", value={"eur": 1000}),
            term_set("rent-2", "rent", "2022-01-01", "Rent 1100 a month", value={"eur": 1100}),
            term_set(
                "break-1",
                "break.clause",
                "2020-06-01",
                "Either side may break",
                certainty="reported",
            ),
            {
                "id": "break-end",
                "type": "term.ended",
                "effective": "2021-07-01",
                "term": "break.clause",
                "reason": "terminated",
            },
            term_set(
                "dock-1",
                "dock.access",
                "2020-01-01",
                "Dock access",
                expires="2022-12-31",
                certainty="rumored",
            ),
            {
                "id": "prop-1",
                "type": "term.proposed",
                "effective": "2021-01-01",
                "term": "rent",
                "summary": "Rent 1500",
                "certainty": "rumored",
            },
            {
                "id": "prop-1-no",
                "type": "proposal.resolved",
                "effective": "2021-03-01",
                "proposal": "prop-1",
                "resolution": "rejected",
            },
        ],
    )
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0
    return sqlite_url


@pytest.mark.parametrize("width", [60, 100, 160])
def test_timeline_of_the_record_fits_the_width(loaded: str, width: int) -> None:
    args = ["timeline", "--to", "2031-01-01", "--format", "table", "--db", loaded]
    result = run(*args, width=width)

    assert result.exit_code == 0, result.output
    output = steady(result.stdout)
    assert output == golden(f"timeline-{width}.txt", output)
    assert widest(output) <= width


def test_timeline_draws_changes_ends_expiries_and_proposals(lease: str) -> None:
    result = run("timeline", "--to", "2023-12-31", "--format", "table", "--db", lease, width=72)

    assert steady(result.stdout) == (
        "harbor-lease: Harbor Lease\n"
        "2020-01-01 to 2023-12-31, as known at <now>\n"
        "\n"
        "  break.clause       ───────────────×\n"
        "  dock.access   ┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┄┤\n"
        "  rent          ━━━━━━━━━━━━━━━━━━━━━━━━━━━━│━━━━━━━━━━━━━━━━━━━━━━━━━━→\n"
        "                              ◇\n"
        "                2020          2021          2022          2023\n"
        "\n"
        "━ confirmed  ─ reported  ┄ rumored  │ value changed  ┤ expired  × ended\n"
        "→ still in force  ◆ proposal pending  ◇ proposal resolved\n"
    )


def test_timeline_json_lists_each_terms_periods(lease: str) -> None:
    args = ["timeline", "--from", "2021-01-01", "--to", "2021-12-31", "--format", "json"]
    data = json.loads(run(*args, "--db", lease).stdout)

    assert (data["from"], data["to"]) == ("2021-01-01", "2021-12-31")
    assert {
        k: [(p["start"], p["end"], p["ended_by"]) for p in v] for k, v in data["terms"].items()
    } == {
        "break.clause": [("2020-06-01", "2021-06-30", "terminated")],
        "dock.access": [("2020-01-01", "2022-12-31", "expired")],
        "rent": [("2020-01-01", "2021-12-31", "changed")],
    }
    assert [(p["event"], p["resolution"]) for p in data["proposals"]] == [("prop-1", "rejected")]


def test_timeline_json_of_a_term_amended_300_times_is_the_standard_librarys_text(
    tmp_path: Path, sqlite_url: str
) -> None:
    day0 = dt.date(2020, 1, 1)
    amendments = [
        {"id": f"a{n}", "type": "term.amended", "effective": str(day0 + dt.timedelta(days=n)),
         "term": "price.unit", "summary": f"Price {n}", "changes": {"usd": n}}
        for n in range(1, 301)
    ]  # fmt: skip
    start = term_set("s", "price.unit", str(day0), "Price 0", value={"usd": 0})
    path = agreement_file(tmp_path, "amended", [start, *amendments])
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0

    result = run("timeline", "--to", "2021-12-31", "--format", "json", "--db", sqlite_url)
    data = json.loads(result.stdout)

    assert result.stdout == standard(data) + "\n"
    periods = data["terms"]["price.unit"]
    assert [len(p["events"]) for p in periods] == list(range(1, 302))
    assert periods[-1]["events"] == ["s", *(f"a{n}" for n in range(1, 301))]


def test_timeline_refuses_a_range_that_ends_before_it_starts(lease: str) -> None:
    result = run("timeline", "--from", "2022-01-01", "--to", "2021-01-01", "--db", lease)

    assert result.exit_code == 2
    assert "Error: Invalid value for --to: --to 2021-01-01 is before --from 2022-01-01" in (
        result.stderr
    )


def test_timeline_of_an_agreement_without_terms_says_so(tmp_path: Path, sqlite_url: str) -> None:
    path = agreement_file(tmp_path, "empty-deal", [])
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0

    result = run("timeline", "--to", "2020-12-31", "--format", "table", "--db", sqlite_url)

    assert steady(result.stdout) == (
        "empty-deal: Empty Deal\n"
        "2020-01-01 to 2020-12-31, as known at <now>\n"
        "\n"
        "  (no term in force and no proposal in this range)\n"
        "\n"
        f"{LEGEND_AT_100}"
    )
