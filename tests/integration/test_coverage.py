"""How far a record reaches: reads about a later day still answer, and say so."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import Clock
from tracker.core.events import Citation, Source, StoredSource, event_from_dict
from tracker.service import Tracker

NAME = "lease"
RECORDED = dt.datetime(2025, 2, 1, 9, 0, 1)


def event(type_: str, id_: str, effective: str, **fields: Any) -> Any:
    return event_from_dict(
        {"type": type_, "id": id_, "agreement": NAME, "effective": effective, **fields}
    )


def created() -> Any:
    return event(
        "agreement.created",
        "created",
        "2020-01-01",
        title="Lease",
        parties=[{"name": "A", "role": "landlord"}, {"name": "B", "role": "tenant"}],
    )


def rent(effective: str = "2024-06-01", expires: str | None = None) -> Any:
    extra = {"expires": expires} if expires else {}
    return event(
        "term.set", "rent", effective, term="rent", summary="Rent", value={"eur": 100}, **extra
    )


def reviewed(id_: str, effective: str, **fields: Any) -> Any:
    return event("record.reviewed", id_, effective, **fields)


@pytest.fixture
def lease(tracker: Tracker) -> Tracker:
    """An agreement with one term, and a review on 2025-01-31."""
    tracker.append(NAME, [created(), rent(), reviewed("checked", "2025-01-31")])
    return tracker


def test_a_review_says_the_record_covers_changes_up_to_its_day(lease: Tracker) -> None:
    state = lease.state(NAME, dt.date(2025, 2, 1))

    assert state.coverage is not None
    assert (str(state.coverage.through), state.coverage.reviewed, state.coverage.event) == (
        "2025-01-31",
        True,
        "checked",
    )
    assert state.coverage.warning(state.as_of) == (
        "the record covers changes up to 2025-01-31; later ones are not recorded"
    )


def test_a_day_on_or_before_the_review_is_not_beyond_it(lease: Tracker) -> None:
    state = lease.state(NAME, dt.date(2025, 1, 31))

    assert state.coverage is not None
    assert (state.coverage.beyond(state.as_of), state.coverage.warning(state.as_of)) == (
        False,
        None,
    )


def test_a_read_beyond_the_review_still_answers_with_the_terms(lease: Tracker) -> None:
    state = lease.state(NAME, dt.date(2030, 1, 1))

    assert dict(state.terms["rent"].value) == {"eur": 100}


def test_the_latest_review_counts(lease: Tracker) -> None:
    lease.append(NAME, [reviewed("checked-again", "2025-06-30")])

    coverage = lease.coverage(NAME)

    assert (str(coverage.through), coverage.event) == ("2025-06-30", "checked-again")


def test_without_a_review_the_record_reaches_its_latest_event(tracker: Tracker) -> None:
    tracker.append(NAME, [created(), rent("2024-06-01")])

    coverage = tracker.coverage(NAME)

    assert (str(coverage.through), coverage.reviewed, coverage.event) == (
        "2024-06-01",
        False,
        "rent",
    )
    assert coverage.warning(dt.date(2024, 6, 2)) == (
        "the record states no coverage; nothing is recorded after 2024-06-01"
    )


def test_without_a_review_a_year_dated_event_reaches_the_end_of_its_year(
    tracker: Tracker,
) -> None:
    note = event("note.recorded", "talks", "2024", note="Talks that year")
    tracker.append(NAME, [created(), note, rent("2024-06-01")])

    coverage = tracker.coverage(NAME)

    assert (str(coverage.through), coverage.beyond(dt.date(2024, 12, 31))) == ("2024-12-31", False)
    assert coverage.beyond(dt.date(2025, 1, 1)) is True


def test_without_a_review_a_retracted_latest_event_does_not_count(tracker: Tracker) -> None:
    later = event("note.recorded", "later", "2026-01-01", note="A later note")
    tracker.append(NAME, [created(), rent("2024-06-01"), later])
    tracker.append(NAME, [event("event.retracted", "oops", "2026-02-01", target="later",
                                reason="wrong")])  # fmt: skip

    assert str(tracker.coverage(NAME).through) == "2024-06-01"


def test_a_review_counts_only_from_when_it_was_recorded(tracker: Tracker, clock: Clock) -> None:
    tracker.append(NAME, [created(), rent()])
    before = clock.now
    tracker.append(NAME, [reviewed("checked", "2025-01-31")])

    then, now = tracker.coverage(NAME, before), tracker.coverage(NAME)

    assert (str(then.through), then.reviewed) == ("2024-06-01", False)
    assert (str(now.through), now.reviewed) == ("2025-01-31", True)


def test_a_retracted_review_no_longer_counts(lease: Tracker) -> None:
    lease.append(NAME, [event("event.retracted", "unchecked", "2025-02-02", target="checked",
                              reason="the check was not done")])  # fmt: skip

    coverage = lease.coverage(NAME)

    assert (str(coverage.through), coverage.reviewed) == ("2024-06-01", False)


def test_published_by_counts_only_a_review_citing_a_source_published_by_then(
    tracker: Tracker,
) -> None:
    post = Source(id="post", title="Post", published=dt.date(2025, 3, 1))
    tracker.store.append(NAME, [created()], sources=[StoredSource(source=post)])
    cited = (Citation(source="post"),)
    tracker.append(NAME, [rent(), reviewed("checked", "2025-03-01", sources=cited)])

    early = tracker.coverage(NAME, published=dt.date(2025, 2, 1))
    late = tracker.coverage(NAME, published=dt.date(2025, 3, 1))

    assert (early.through, early.reviewed) == (None, False)
    assert (str(late.through), late.reviewed) == ("2025-03-01", True)


def test_a_review_is_of_one_day() -> None:
    with pytest.raises(ValidationError, match="a review is of one day, not 2025-01"):
        reviewed("checked", "2025-01")


def test_an_expiry_beyond_the_review_is_still_shown(tracker: Tracker) -> None:
    tracker.append(NAME, [created(), rent(expires="2030-12-31"), reviewed("checked", "2025-01-31")])

    in_force = tracker.state(NAME, dt.date(2030, 12, 31))
    ended = tracker.state(NAME, dt.date(2031, 1, 1))

    assert (str(in_force.terms["rent"].expires), ended.ended["rent"].reason) == (
        "2030-12-31",
        "expired",
    )
    assert ended.coverage is not None and ended.coverage.beyond(ended.as_of)


def test_every_read_carries_the_coverage(lease: Tracker) -> None:
    day = dt.date(2025, 2, 1)

    reads = {
        "diff": lease.diff(NAME, dt.date(2024, 1, 1), day).coverage,
        "explain": lease.explain(NAME, "rent", day).coverage,
        "terms": lease.terms("rent", day)[0].coverage,
        "timeline": lease.timeline(NAME).coverage,
        "report": lease.report(NAME, day).timeline.coverage,
        "coverages": lease.coverages()[NAME],
    }

    assert {k: (str(c.through), c.reviewed) if c else None for k, c in reads.items()} == {
        k: ("2025-01-31", True) for k in reads
    }
