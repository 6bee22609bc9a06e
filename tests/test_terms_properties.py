"""The definition of `terms`: for any log the store accepts, its answer for every agreement is
what looping `state` says of the term, on any date and as known at any moment."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.core.events import Event, event_from_dict
from tracker.errors import NotFoundError, TrackerError
from tracker.service import TermEntry, Tracker
from tracker.store import terms
from tracker.store.driver import Cursor

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
DAY0 = dt.date(2025, 1, 1)
EXAMPLES = itertools.count()

days = st.integers(0, 45).map(lambda n: (DAY0 + dt.timedelta(days=n)).isoformat())
imprecise = st.sampled_from(["2025-01", "2025-02", "../2025-01-10", "../2025-01-20", "2025"])
dates = days | days | imprecise
as_of_dates = st.integers(-1, 60).map(lambda n: DAY0 + dt.timedelta(days=n)) | st.just(
    dt.date(2026, 1, 1)
)
certainties = st.sampled_from(["confirmed", "reported", "rumored"])
citations = st.lists(
    st.builds(
        lambda s, stance: {"source": s, "stance": stance},
        st.sampled_from(["ft", "wsj"]),
        st.sampled_from(["supports", "supports", "contradicts"]),
    ),
    max_size=2,
)


def fact(
    draw: st.DrawFn, keys: list[str], proposals: list[str], on: st.SearchStrategy[str] = dates
) -> dict[str, Any]:
    """A random fact's content: any type, on one of the keys, on a random (imprecise) date
    (drawn from `on`)."""
    kinds = ["term.set"] * 3 + ["term.amended"] * 2 + ["term.affirmed", "term.ended"]
    kinds += ["term.proposed", "note.recorded"] + (["proposal.resolved"] if proposals else [])
    kind = draw(st.sampled_from(kinds))
    common = {"type": kind, "effective": draw(on), "certainty": draw(certainties),
              "sources": draw(citations)}  # fmt: skip
    key = draw(st.sampled_from(keys))
    if kind == "term.set":
        expires = draw(st.none() | st.sampled_from(["2025-02-20", "2025-02", "2025-03-01"]))
        value = {"level": draw(st.integers(0, 2)), "scope": draw(st.sampled_from(["a", "b"]))}
        return {**common, "term": key, "summary": draw(st.sampled_from(["one", "two"])),
                "value": value, **({"expires": expires} if expires else {})}  # fmt: skip
    if kind == "term.amended":
        changes = draw(st.sampled_from([{"level": 5}, {"scope": None}, {"extra": "x"}]))
        summary = draw(st.none() | st.just("amended"))
        return {**common, "term": key, "changes": changes,
                **({"summary": summary} if summary else {})}  # fmt: skip
    if kind in ("term.affirmed", "term.ended"):
        return {**common, "term": key, **({"reason": "terminated"} if kind == "term.ended" else {})}
    if kind == "term.proposed":
        return {**common, "term": key, "summary": "maybe"}
    if kind == "proposal.resolved":
        return {**common, "proposal": draw(st.sampled_from(proposals)), "resolution": "adopted"}
    return {**common, "note": "context"}


def event(draw: st.DrawFn, agreement: str, n: int, keys: list[str], log: list[Event]) -> Event:
    """A fact, or a retraction or correction of an earlier event of the agreement (of its
    creation too, which a correction may move to another date)."""
    mine = [e for e in log if e.agreement == agreement]
    proposals = [e.id for e in mine if e.type == "term.proposed"]
    kind = draw(st.sampled_from(["fact"] * 4 + ["event.retracted", "event.corrected"]))
    identity = {"id": f"{agreement}-{n}", "agreement": agreement}
    if kind == "fact" or len(mine) < 2:
        return event_from_dict({**identity, **fact(draw, keys, proposals)})
    target = draw(st.sampled_from([e.id for e in mine]))
    data = {**identity, "type": kind, "target": target, "reason": "wrong", "effective": draw(days)}
    if kind == "event.corrected" and target == mine[0].id:
        data["replacement"] = {**creation(agreement), "effective": draw(dates)}
    elif kind == "event.corrected":
        data["replacement"] = fact(draw, keys, proposals)
    return event_from_dict(data)


def append(tracker: Tracker, batch: list[Event], log: list[Event]) -> None:
    """Append a batch whole, or else each event alone; the store refuses what breaks its
    rules, and what it refuses is simply not in the log."""
    for attempt in [batch] if len(batch) == 1 else [batch, *([e] for e in batch)]:
        try:
            tracker.store.append(attempt[0].agreement, attempt)
        except TrackerError:
            continue
        log.extend(attempt)
        if attempt is batch:
            return


def answered(
    tracker: Tracker, key: str, as_of: dt.date, known_at: dt.datetime | None
) -> list[TermEntry]:
    """`terms`, with a key that no event recorded by then names (an error, so that a typo is
    told) read as the empty answer each agreement's state gives."""
    try:
        return tracker.terms(key, as_of, known_at)
    except NotFoundError:
        return []


def looping_state(
    tracker: Tracker, agreements: list[str], key: str, as_of: dt.date, known_at: dt.datetime
) -> list[TermEntry]:
    """What `terms` must answer: each agreement's state, looked at for the one term."""
    entries = []
    for agreement in agreements:
        state = tracker.state(agreement, as_of, known_at)
        entry = TermEntry(
            agreement,
            state.terms.get(key),
            state.ended.get(key),
            state.possible.get(key),
            state.coverage,
        )
        if entry.term or entry.ended or entry.possible:
            entries.append(entry)
    return entries


@PROPERTY
@given(data=st.data())
def test_terms_equals_looping_state_for_any_log_date_and_moment(
    tracker: Tracker, data: st.DataObject
) -> None:
    example = next(EXAMPLES)
    keys = [f"k{example}.{name}" for name in ("price", "volume", "term")]
    agreements = [f"x{example}-{a}" for a in ("acme", "globex", "initech")]
    log: list[Event] = []
    moments = []
    for agreement in agreements:
        append(tracker, [created(agreement)], log)
    for n in range(data.draw(st.integers(1, 30), label="events")):
        agreement = data.draw(st.sampled_from(agreements))
        size = data.draw(st.integers(1, 3))
        batch: list[Event] = []
        for m in range(size):
            batch.append(event(data.draw, agreement, 10 * n + m, keys, log + batch))
        append(tracker, batch, log)
        moments.append(tracker.store.clock())
    for _ in range(4):
        key = data.draw(st.sampled_from(keys))
        as_of = data.draw(as_of_dates)
        known_at = data.draw(st.sampled_from(moments))

        answer = answered(tracker, key, as_of, known_at)

        assert answer == looping_state(tracker, agreements, key, as_of, known_at)
    with tracker.store.engine.connect() as conn:
        checked = [terms.check(Cursor.of(conn), a) for a in agreements]
    assert checked == [[], [], []]


def creation(agreement: str) -> dict[str, Any]:
    return {"type": "agreement.created", "id": f"{agreement}-created", "agreement": agreement,
            "effective": "2025-01-01", "title": "A deal",
            "parties": [{"name": "A", "role": "b"}]}  # fmt: skip


def created(agreement: str) -> Event:
    return event_from_dict(creation(agreement))
