"""How far a record reaches: the day it was last checked against its sources, or, when it
never was, the date of its latest event; a read about a later day says it is beyond."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tracker.core.dates import When
from tracker.core.events import RecordReviewed
from tracker.core.projector import Applied, known, resolve
from tracker.core.state import Coverage, Recorded

NO_RECORD = Coverage(None, False, None)


def latest_of(written: Iterable[tuple[str, str, int]]) -> Coverage:
    """The reach of a record with no review, retraction or correction, from the id, written
    date and position of each fact that may be its latest (of those that end on the same
    day, the last in the log)."""
    found = max(((When.parse(w).last, p, i) for i, w, p in written), default=None)
    return NO_RECORD if found is None else Coverage(When.day(found[0]), False, found[2])


def coverage(records: Iterable[Recorded], known_at: dt.datetime | None = None) -> Coverage:
    """The reach of an agreement's record, as known at `known_at`, from its reviews, its
    latest facts and the retractions and corrections aimed at them, in any order."""
    facts = resolve(known(records, known_at)).facts
    reviews = [a for a in facts if isinstance(a.fact, RecordReviewed)]
    if reviews:
        review = max(reviews, key=_latest).fact
        return Coverage(review.effective, True, review.id)
    if not facts:
        return NO_RECORD
    latest = max(facts, key=_latest).fact
    # The last day it may have come: what a reader is told the record reaches.
    return Coverage(When.day(latest.effective.last), False, latest.id)


def _latest(applied: Applied) -> tuple[dt.date, int]:
    """Of facts that end on the same day, the last in the log (as `latest_of` has it)."""
    return applied.fact.effective.last, applied.position
