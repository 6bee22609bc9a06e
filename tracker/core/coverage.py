"""How far a record reaches: the day it was last checked against its sources, or, when it
never was, the date of its latest event; a read about a later day says it is beyond."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tracker.core.dates import When
from tracker.core.events import RecordReviewed
from tracker.core.projector import known, resolve
from tracker.core.state import Coverage, Recorded

NO_RECORD = Coverage(None, False, None)


def latest_of(written: Iterable[tuple[str, str]]) -> Coverage:
    """The reach of a record with no review, retraction or correction, from the id and the
    written date of each fact that may be its latest."""
    found = max(((When.parse(w).last, i) for i, w in written), default=None)  # ties: by id
    return NO_RECORD if found is None else Coverage(When.day(found[0]), False, found[1])


def coverage(records: Iterable[Recorded], known_at: dt.datetime | None = None) -> Coverage:
    """The reach of an agreement's record, as known at `known_at`, from its reviews, its
    latest facts and the retractions and corrections aimed at them, in any order."""
    facts = [a.fact for a in resolve(known(records, known_at)).facts]
    reviews = [f for f in facts if isinstance(f, RecordReviewed)]
    if reviews:
        latest = max(reviews, key=lambda f: f.effective.last)
        return Coverage(latest.effective, True, latest.id)
    if not facts:
        return NO_RECORD
    latest_fact = max(facts, key=lambda f: (f.effective.last, f.id))  # as `latest_of` ties
    # The last day it may have come: what a reader is told the record reaches.
    return Coverage(When.day(latest_fact.effective.last), False, latest_fact.id)
