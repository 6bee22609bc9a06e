"""`tracker upcoming` across three agreements on fixed dates, and its calendar file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.see import TABLES, agreement_file, golden, run, term_set, widest
from tests.conftest import RECORD

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AS_OF = "2030-10-15"


@pytest.fixture
def three(sqlite_url: str) -> str:
    """The shipped record, a supply deal and a lease, in one database."""
    files = [RECORD, FIXTURES / "acme-supply.yaml", FIXTURES / "harbor-lease.yaml"]
    assert run("import", *map(str, files), "--db", sqlite_url).exit_code == 0
    return sqlite_url


def test_upcoming_json_is_the_pinned_list(three: str) -> None:
    result = run("upcoming", "--as-of", AS_OF, "--format", "json", "--db", three)

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json.loads(golden("upcoming.json", result.stdout))


@pytest.mark.parametrize("width", [60, 100, 160])
def test_upcoming_table_is_pinned_and_fits(three: str, width: int) -> None:
    args = ["upcoming", "--as-of", AS_OF, "--within", "6m", "--format", "table"]
    result = run(*args, "--db", three, width=width)

    assert result.stdout == golden(f"upcoming-6m-{width}.txt", result.stdout)
    assert widest(result.stdout) <= width


def test_upcoming_window_takes_days_weeks_months_and_years(three: str) -> None:
    def expiring(within: str) -> list[str]:
        args = ["upcoming", "--as-of", AS_OF, "--within", within, "--format", "json"]
        items = json.loads(run(*args, "--db", three).stdout)["items"]
        return [f"{i['agreement']} {i['term']}" for i in items if i["kind"] == "expires"]

    assert expiring("45") == []
    assert expiring("46d") == ["acme-supply supply.volume"]
    assert expiring("6w") == []
    assert expiring("7w") == ["acme-supply supply.volume"]
    assert len(expiring("3m")) == 4
    assert expiring("1y")[-1] == "harbor-lease lease.term"


def test_upcoming_writes_the_pinned_calendar(three: str, tmp_path: Path) -> None:
    path = tmp_path / "coming.ics"

    result = run("upcoming", "--as-of", AS_OF, "--ical", str(path), "--db", three)

    assert result.exit_code == 0
    assert result.stderr == f"wrote 8 entries to {path}\n"
    pinned = TABLES / "upcoming.ics"
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        pinned.write_bytes(path.read_bytes())
    assert path.read_bytes() == pinned.read_bytes()


@pytest.mark.parametrize("within", ["soon", "90x", "-3d", "99999y"])
def test_upcoming_refuses_a_window_it_cannot_read(three: str, within: str) -> None:
    result = run("upcoming", "--within", within, "--db", three)

    assert result.exit_code == 2
    assert "Invalid value for --within" in result.stderr
    assert "Traceback" not in result.output


def _calendar(folder: Path, events: list[dict[str, object]]) -> str:
    """The calendar of a lease whose term was set with an expiry, then given `events`."""
    folder.mkdir()
    lease = term_set(
        "lease-set", "lease.term", "2020-02-01", "Five years", value={"years": 5, "rent": 100}
    )
    path = agreement_file(folder, "lease", [{**lease, "expires": "2024-12-31"}, *events])
    db, ics = f"sqlite:///{folder / 'lease.db'}", folder / "lease.ics"
    assert run("import", str(path), "--db", db).exit_code == 0
    args = ["upcoming", "--as-of", "2024-06-01", "--within", "1y", "--ical", str(ics)]
    assert run(*args, "--db", db).exit_code == 0
    return ics.read_bytes().decode("utf-8").replace("\r\n ", "")


def test_6_an_expiry_keeps_its_uid_and_credit_when_another_field_is_amended(
    tmp_path: Path,
) -> None:
    rent = {"id": "lease-rent", "type": "term.amended", "effective": "2022-03-01",
            "term": "lease.term", "changes": {"rent": 120}}  # fmt: skip

    before = _calendar(tmp_path / "before", [])
    after = _calendar(tmp_path / "after", [rent])

    for text in (before, after):
        assert "UID:lease/expires/lease.term/lease-set@tracker\r\n" in text
        assert "DESCRIPTION:Five years (confirmed\\; event lease-set)\r\n" in text
    assert "lease-rent" not in after
