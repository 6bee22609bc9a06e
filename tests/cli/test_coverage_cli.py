"""What the command line says of a day beyond the record's reach: a line on stderr under a
table, a `coverage` object in JSON, a band in the report's chart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.see import agreement_file, run, term_set

REVIEW = {
    "id": "checked",
    "type": "record.reviewed",
    "effective": "2025-01-31",
    "note": "Checked against the lease and its amendments",
}
NOTE = "Note: the record covers changes up to 2025-01-31; later ones are not recorded\n"


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database holding an agreement with one term and a review on 2025-01-31."""
    url = f"sqlite:///{tmp_path / 'lease.db'}"
    rent = term_set("rent", "rent", "2024-06-01", "Rent of 100", value={"eur": 100})
    path = agreement_file(tmp_path, "lease", [rent, REVIEW])
    assert run("import", str(path), "--db", url).exit_code == 0
    return url


@pytest.mark.parametrize(
    "args",
    [
        ["state", "--as-of", "2025-02-01"],
        ["diff", "2025-01-01", "2025-02-01"],
        ["explain", "rent", "--as-of", "2025-02-01"],
        ["timeline", "--to", "2025-02-01"],
    ],
)
def test_a_table_beyond_the_review_is_followed_by_one_line_on_stderr(
    db: str, args: list[str]
) -> None:
    result = run(*args, "--format", "table", "--db", db)

    assert (result.exit_code, result.stderr) == (0, NOTE)


def test_terms_and_upcoming_name_the_agreement_in_their_line(db: str) -> None:
    terms = run("terms", "rent", "--as-of", "2025-02-01", "--format", "table", "--db", db)
    upcoming = run("upcoming", "--as-of", "2025-02-01", "--format", "table", "--db", db)

    assert (terms.stderr, upcoming.stderr) == (
        f"Note: lease: {NOTE[6:]}",
        f"Note: lease: {NOTE[6:]}",
    )


def test_a_table_on_the_review_day_has_no_line(db: str) -> None:
    result = run("state", "--as-of", "2025-01-31", "--format", "table", "--db", db)

    assert (result.exit_code, result.stderr) == (0, "")


def test_state_json_says_how_far_the_record_reaches(db: str) -> None:
    beyond = run("state", "--as-of", "2025-02-01", "--format", "json", "--db", db)
    within = run("state", "--as-of", "2025-01-31", "--format", "json", "--db", db)

    expected = {"through": "2025-01-31", "reviewed": True, "event": "checked"}
    assert json.loads(beyond.stdout)["coverage"] == {**expected, "beyond": True}
    assert json.loads(within.stdout)["coverage"] == {**expected, "beyond": False}
    assert beyond.stderr == ""


def test_upcoming_json_gives_each_agreements_coverage(db: str) -> None:
    result = run("upcoming", "--as-of", "2025-02-01", "--format", "json", "--db", db)

    assert json.loads(result.stdout)["coverage"] == {
        "lease": {"through": "2025-01-31", "beyond": True, "reviewed": True, "event": "checked"}
    }


def test_terms_json_gives_the_coverage_of_each_agreement(db: str) -> None:
    result = run("terms", "rent", "--as-of", "2025-02-01", "--format", "json", "--db", db)

    assert json.loads(result.stdout)["agreements"][0]["coverage"] == {
        "through": "2025-01-31",
        "beyond": True,
        "reviewed": True,
        "event": "checked",
    }


def test_the_report_shades_the_days_beyond_the_review(db: str, tmp_path: Path) -> None:
    page = tmp_path / "lease.html"

    result = run("report", "--output", str(page), "--as-of", "2026-01-01", "--db", db)

    html = page.read_text(encoding="utf-8")
    assert result.exit_code == 0
    assert '" class="beyond"><title>the record covers changes up to 2025-01-31; later ones' in html
    assert '"coverage":{"last":"2025-01-31","note":"the record covers changes up to' in html
