"""`tracker log` for people: term and what each event did, corrections and retractions marked,
and one term's history read like `git log -p`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.see import agreement_file, column_text, golden, run, steady, term_set, widest
from tests.conftest import RECORD

PAD = " " * 54


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped record; its URL."""
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    return sqlite_url


@pytest.fixture
def amended(tmp_path: Path, sqlite_url: str) -> str:
    """An agreement whose price was corrected once, and whose discount was retracted."""
    path = agreement_file(
        tmp_path,
        "acme-supply",
        [
            term_set("p1", "price.unit", "2024-01-01", "Unit price", value={"usd": 2.75}),
            term_set("p2", "price.unit", "2024-07-01", "Unit price, raised", value={"usd": 2.95}),
            term_set("d1", "price.discount", "2024-03-01", "Five per cent off", value={"pct": 5}),
            {
                "id": "c1",
                "type": "event.corrected",
                "effective": "2024-08-01",
                "target": "p2",
                "reason": "the invoice says 2.90",
                "replacement": term_set(
                    "p2", "price.unit", "2024-07-01", "Unit price, raised", value={"usd": 2.9}
                ),
            },
            {
                "id": "r1",
                "type": "event.retracted",
                "effective": "2024-08-02",
                "target": "d1",
                "reason": "never agreed",
            },
        ],
    )
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0
    return sqlite_url


@pytest.mark.parametrize("width", [60, 100, 160])
def test_log_table_fits_and_says_what_each_event_did(loaded: str, width: int) -> None:
    result = run("log", "--format", "table", "--db", loaded, width=width)

    assert result.exit_code == 0
    assert result.stdout == golden(f"log-{width}.txt", result.stdout)
    assert widest(result.stdout) <= width
    shown = column_text(result.stdout, "EVENT AND WHAT IT DID")
    assert "OpenAImayuseOraclecloudcapacity,withMicrosoft'sblessing(microsoft_approval" in shown


def test_log_marks_corrected_and_retracted_events_showing_what_counts(amended: str) -> None:
    result = run("log", "--format", "table", "--db", amended)

    assert result.stdout == (
        "  EFFECTIVE   VER  TYPE               TERM            EVENT AND WHAT IT DID\n"
        "  2020-01-01  1    agreement.created  -               acme-supply-created\n"
        "                                                      Acme Supply\n"
        "  2024-01-01  2    term.set           price.unit      p1\n"
        "                                                      Unit price\n"
        "  2024-03-01  4    term.set           price.discount  d1\n"
        f"{PAD}[retracted by r1] Five per cent off\n"
        "  2024-07-01  3    term.set           price.unit      p2\n"
        f"{PAD}[corrected by c1] Unit price, raised\n"
        "  2024-08-01  5    event.corrected    price.unit      c1\n"
        "                                                      corrects p2: the invoice says "
        "2.90\n"
        "  2024-08-02  6    event.retracted    -               r1\n"
        "                                                      retracts d1: never agreed\n"
    )


def test_log_of_one_term_reads_like_git_log_p(amended: str) -> None:
    result = run("log", "--term", "price.unit", "--format", "table", "--db", amended, width=80)

    assert steady(result.stdout) == (
        "event p1 (term.set, version 2)\n"
        "Effective: 2024-01-01\n"
        "Certainty: confirmed\n"
        "Recorded:  <now>\n"
        "\n"
        "+ summary: Unit price\n"
        "+ since: 2024-01-01\n"
        "+ certainty: confirmed\n"
        "+ value.usd: 2.75\n"
        "\n"
        "event p2 (term.set, version 3) [corrected by c1; as corrected]\n"
        "Effective: 2024-07-01\n"
        "Certainty: confirmed\n"
        "Recorded:  <now>\n"
        "\n"
        "- summary: Unit price\n"
        "+ summary: Unit price, raised\n"
        "- since: 2024-01-01\n"
        "+ since: 2024-07-01\n"
        "- value.usd: 2.75\n"
        "+ value.usd: 2.9\n"
        "\n"
        "event c1 (event.corrected, version 5)\n"
        "Effective: 2024-08-01\n"
        "Certainty: confirmed\n"
        "Recorded:  <now>\n"
        "\n"
        "    Corrects p2: the invoice says 2.90\n"
        "\n"
        "- value.usd: 2.95\n"
        "+ value.usd: 2.9\n"
    )


def test_log_of_one_term_shows_a_retracted_event_changing_nothing(amended: str) -> None:
    result = run("log", "--term", "price.discount", "--format", "table", "--db", amended)

    assert steady(result.stdout).startswith("event d1 (term.set, version 4) [retracted by r1]\n")


def test_log_of_one_term_from_a_date_still_diffs_against_the_events_before(amended: str) -> None:
    args = ["log", "--term", "price.unit", "--from", "2024-06-01", "--format", "table"]

    output = steady(run(*args, "--db", amended).stdout)

    assert output.startswith("event p2 (term.set, version 3) [corrected by c1; as corrected]\n")
    assert "- value.usd: 2.75\n+ value.usd: 2.9\n" in output
    assert "event p1" not in output
