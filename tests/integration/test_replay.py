"""Replay of the shipped Microsoft–OpenAI record, pinned on the dates that matter."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import pinned
from tracker.cli.shapes import diff_json, state_json
from tracker.service import Tracker

AGREEMENT = "microsoft-openai"
KNOWN_AT = dt.datetime(2026, 1, 1)
STATE_DATES = [
    "2019-07-21",
    "2019-07-22",
    "2024-06-11",
    "2025-01-20",
    "2025-01-21",
    "2030-12-31",
    "2031-01-01",
]


@pytest.mark.parametrize("day", STATE_DATES)
def test_shipped_state_matches_the_pinned_state(shipped: Tracker, day: str) -> None:
    state = shipped.state(AGREEMENT, dt.date.fromisoformat(day), KNOWN_AT)

    data = state_json(state, shipped.sources(AGREEMENT))
    assert data == pinned(f"state-{day}.json", data)


@pytest.mark.parametrize(
    ("start", "end"), [("2025-01-20", "2025-01-21"), ("2030-12-31", "2031-01-01")]
)
def test_shipped_diff_matches_the_pinned_diff(shipped: Tracker, start: str, end: str) -> None:
    result = shipped.diff(
        AGREEMENT, dt.date.fromisoformat(start), dt.date.fromisoformat(end), KNOWN_AT
    )

    assert diff_json(result) == pinned(f"diff-{start}-{end}.json", diff_json(result))


# The whole record (the 2025 file and its amendment files): the day after each amendment,
# today (the day of its review) and the day after it.
RECORD_DATES = ["2025-10-29", "2026-04-28", "2026-12-06", "2026-12-07"]
AMENDMENTS = [
    ("2025-09-10", "2025-09-11"),
    ("2025-10-27", "2025-10-28"),
    ("2026-02-26", "2026-02-27"),
    ("2026-04-26", "2026-04-27"),
]


@pytest.mark.parametrize("day", RECORD_DATES)
def test_the_whole_record_state_matches_the_pinned_state(record: Tracker, day: str) -> None:
    state = record.state(AGREEMENT, dt.date.fromisoformat(day), KNOWN_AT)

    data = state_json(state, record.sources(AGREEMENT))
    assert data == pinned(f"record-state-{day}.json", data)


@pytest.mark.parametrize(("start", "end"), AMENDMENTS)
def test_the_diff_across_each_amendment_matches_the_pinned_diff(
    record: Tracker, start: str, end: str
) -> None:
    result = record.diff(
        AGREEMENT, dt.date.fromisoformat(start), dt.date.fromisoformat(end), KNOWN_AT
    )

    assert diff_json(result) == pinned(f"record-diff-{start}-{end}.json", diff_json(result))


def test_the_record_covers_changes_up_to_its_review_of_2026_12_06(record: Tracker) -> None:
    today = record.state(AGREEMENT, dt.date(2026, 12, 6), KNOWN_AT).coverage
    after = record.state(AGREEMENT, dt.date(2026, 12, 7), KNOWN_AT).coverage

    assert today is not None and after is not None
    assert (str(today.through), today.reviewed, today.event) == (
        "2026-12-06",
        True,
        "2026-12-06-record-reviewed",
    )
    assert (today.warning(dt.date(2026, 12, 6)), after.warning(dt.date(2026, 12, 7))) == (
        None,
        "the record covers changes up to 2026-12-06; later ones are not recorded",
    )


def test_the_2025_file_alone_claims_no_coverage_beyond_its_last_event(shipped: Tracker) -> None:
    coverage = shipped.state(AGREEMENT, dt.date(2026, 12, 6), KNOWN_AT).coverage

    assert coverage is not None
    assert coverage.warning(dt.date(2026, 12, 6)) == (
        "the record states no coverage; nothing is recorded after 2025-01-21"
    )


def test_cloud_is_exclusive_to_azure_on_2025_01_20(shipped: Tracker) -> None:
    state = shipped.state(AGREEMENT, dt.date(2025, 1, 20), KNOWN_AT)

    assert state.terms["cloud.exclusivity"].value["model"] == "exclusive"
    assert state.terms["cloud.exclusivity"].since.text == "2019-07-22"
    assert sorted(state.terms) == [
        "agi.clause",
        "api.exclusivity",
        "cloud.exclusivity",
        "cloud.third_party_capacity",
        "ip.rights",
        "revenue.share",
    ]
    assert list(state.pending) == ["2025-01-21-agi-clause-waiver-considered"]


def test_rofr_replaces_exclusivity_on_2025_01_21(shipped: Tracker) -> None:
    state = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT)

    rofr = state.terms["cloud.exclusivity"]
    assert (rofr.value["model"], rofr.value["scope"], rofr.since.text) == (
        "right_of_first_refusal",
        "new capacity",
        "2025-01-21",
    )
    assert state.terms["cloud.own_capacity"].value["approved"] is True
    assert state.terms["agi.clause"].expires is None


def test_through_2030_terms_expire_on_2030_12_31(shipped: Tracker) -> None:
    state = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT)

    expiring = {k: t.expires.text for k, t in state.terms.items() if t.expires is not None}
    assert expiring == {
        "api.exclusivity": "2030-12-31",
        "ip.rights": "2030-12-31",
        "revenue.share": "2030-12-31",
    }


def test_agi_waiver_is_pending_and_rumored_not_in_force(shipped: Tracker) -> None:
    state = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT)

    [(event, proposal)] = state.pending.items()
    assert (event, proposal.term, proposal.certainty) == (
        "2025-01-21-agi-clause-waiver-considered",
        "agi.clause",
        "rumored",
    )
    assert state.terms["agi.clause"].events == ("2025-01-21-agi-clause",)


def test_through_2030_terms_are_ended_as_expired_on_2031_01_01(shipped: Tracker) -> None:
    state = shipped.state(AGREEMENT, dt.date(2031, 1, 1), KNOWN_AT)

    ended = {k: (t.ended.text, t.reason) for k, t in state.ended.items()}
    assert ended == {
        "api.exclusivity": ("2031-01-01", "expired"),
        "ip.rights": ("2031-01-01", "expired"),
        "revenue.share": ("2031-01-01", "expired"),
    }
    assert "api.exclusivity" not in state.terms


def test_diff_of_2025_01_21_lists_exactly_that_days_changes(shipped: Tracker) -> None:
    result = shipped.diff(AGREEMENT, dt.date(2025, 1, 20), dt.date(2025, 1, 21), KNOWN_AT)

    assert [(c.term, c.change) for c in result.changes] == [
        ("cloud.azure_commitment", "settled"),
        ("cloud.exclusivity", "changed"),
        ("cloud.own_capacity", "added"),
    ]
    assert [(a.term, a.event) for a in result.affirmed] == [
        ("api.exclusivity", "2025-01-21-api-exclusivity-affirmed"),
        ("ip.rights", "2025-01-21-ip-rights-affirmed"),
        ("revenue.share", "2025-01-21-revenue-share-affirmed"),
    ]
    assert result.proposals == ()
