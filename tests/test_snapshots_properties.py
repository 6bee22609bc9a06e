"""Property: snapshots never change an answer. Random logs go through the real store, with
snapshots written between appends (explicitly, and by appends themselves), and every state
asked of them is the same with and without the snapshots, and as the whole log held in memory
and folded gives it (a state without a snapshot folds the log as it is read)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import whole_log_state
from tracker.core.events import event_from_dict
from tracker.core.state import AgreementState
from tracker.errors import TrackerError
from tracker.service import Tracker
from tracker.store import snapshot_format, snapshots
from tracker.store.log import EventStore
from tracker.store.tables import snapshots_table

AGREEMENT = "acme"
DAY0 = dt.date(2025, 1, 1)
DAYS = 40
LATER = dt.datetime(2100, 1, 1)  # after every append
NAMES = itertools.count()
KEYS = ("supply.volume", "supply.price", "exclusivity")
KINDS = (
    "term.set", "term.set", "term.amended", "term.affirmed", "term.ended", "term.proposed",
    "proposal.resolved", "note.recorded", "event.retracted", "event.corrected", "snapshot",
    "snapshot",
)  # fmt: skip

days = st.integers(0, DAYS).map(lambda n: DAY0 + dt.timedelta(days=n))
# Dates to ask about: in the log's range, and after it (after a year-long imprecise date too).
as_of_days = st.one_of(days, days, st.integers(0, 400).map(lambda n: DAY0 + dt.timedelta(n)))


@st.composite
def when(draw: st.DrawFn) -> str:
    """A date in any of the four forms: a day, a month, a year, or on or before a day."""
    day = draw(days)
    form = draw(st.sampled_from(["day"] * 6 + ["month", "month", "year", "before"]))
    if form == "month":
        return day.strftime("%Y-%m")
    if form == "year":
        return str(day.year)
    return day.isoformat() if form == "day" else f"../{day.isoformat()}"


@st.composite
def fact(draw: st.DrawFn, kind: str, ids: list[str]) -> dict[str, Any]:
    """The content of one fact of `kind` (ids are the events so far, for references)."""
    data: dict[str, Any] = {"type": kind, "effective": draw(when())}
    data["certainty"] = draw(st.sampled_from(["confirmed", "reported", "rumored"]))
    term = draw(st.sampled_from(KEYS))
    if kind == "term.set":
        data |= {"term": term, "summary": f"{term} {draw(st.integers(0, 9))}"}
        data["value"] = {"level": draw(st.integers(0, 3))}
        if draw(st.booleans()):
            data["expires"] = draw(when())
    elif kind == "term.amended":
        data |= {"term": term, "changes": {draw(st.sampled_from(["level", "note"])): draw(
            st.one_of(st.none(), st.integers(0, 3)))}}  # fmt: skip
    elif kind == "term.affirmed":
        data["term"] = term
    elif kind == "term.ended":
        data |= {"term": term, "reason": draw(st.sampled_from(["terminated", "waived"]))}
    elif kind == "term.proposed":
        data |= {"term": term, "summary": "under consideration"}
    elif kind == "proposal.resolved":
        data |= {"proposal": draw(st.sampled_from(ids)), "resolution": "adopted"}
    else:
        data["note"] = "context"
    return data


@st.composite
def steps(draw: st.DrawFn) -> list[dict[str, Any] | None]:
    """Events to append in order (None: write a snapshot there); the store refuses some."""
    ids = ["created"]
    result: list[dict[str, Any] | None] = []
    for n in range(draw(st.integers(1, 24))):
        kind = draw(st.sampled_from(KINDS))
        if kind == "snapshot":
            result.append(None)
            continue
        event_id = f"e{n}"
        if kind in ("event.retracted", "event.corrected"):
            data = {"type": kind, "target": draw(st.sampled_from(ids)), "reason": "wrong",
                    "effective": draw(when())}  # fmt: skip
            if kind == "event.corrected":
                inner = draw(st.sampled_from(KINDS[:8]))
                data["replacement"] = draw(fact(inner, ids))
        else:
            data = draw(fact(kind, ids))
        result.append({"id": event_id, "agreement": AGREEMENT, **data})
        ids.append(event_id)
    return result


def _build(store: EventStore, agreement: str, plan: list[dict[str, Any] | None]) -> None:
    """Append the plan's events one by one to a new agreement (skipping those the store
    refuses), writing a snapshot where it says so."""
    created = {"type": "agreement.created", "effective": DAY0.isoformat(), "title": "Acme",
               "parties": [{"name": "Acme", "role": "supplier"}]}  # fmt: skip
    for data in [created, *plan]:
        if data is None:
            store.snapshot(agreement)
            continue
        try:
            store.append(agreement, [event_from_dict(_named(agreement, data))])
        except (TrackerError, ValueError):
            continue


def _named(agreement: str, data: dict[str, Any]) -> dict[str, Any]:
    """The event in the agreement, its ids and references made unique to it."""
    data = {**data, "agreement": agreement, "id": f"{agreement}-{data.get('id', 'created')}"}
    for key in ("target", "proposal"):
        if key in data:
            data[key] = f"{agreement}-{data[key]}"
    if "replacement" in data:
        data["replacement"] = {**data["replacement"], "id": data["target"], "agreement": agreement}
    return data


def _answers(
    tracker: Tracker, agreement: str, questions: list[tuple[dt.date, dt.datetime]]
) -> list[AgreementState]:
    return [tracker.state(agreement, as_of, known_at) for as_of, known_at in questions]


@pytest.mark.parametrize("every", [2, 5, 10**9])
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=steps(), as_ofs=st.lists(as_of_days, min_size=1, max_size=6), data=st.data())
def test_every_state_is_the_same_with_and_without_snapshots(
    tracker: Tracker,
    monkeypatch: pytest.MonkeyPatch,
    every: int,
    plan: list[dict[str, Any] | None],
    as_ofs: list[dt.date],
    data: st.DataObject,
) -> None:
    agreement = f"acme-{next(NAMES)}"
    monkeypatch.setattr(snapshots, "EVERY", every)
    _build(tracker.store, agreement, plan)
    moments = [r.recorded_at for r in tracker.store.read(agreement)]
    offsets = st.sampled_from([-dt.timedelta(microseconds=1), dt.timedelta(0)])
    at = st.builds(lambda m, o: m + o, st.sampled_from(moments), offsets)
    questions = [(as_of, data.draw(st.one_of(st.just(LATER), at))) for as_of in as_ofs]

    stored = _stored(tracker, agreement)
    with_snapshots = _answers(tracker, agreement, questions)
    with tracker.store.engine.begin() as conn:
        conn.execute(sa.delete(snapshots_table).where(snapshots_table.c.agreement == agreement))
    without = _answers(tracker, agreement, questions)
    records = tracker.store.read(agreement)  # the whole log, held and folded at once
    held = [whole_log_state(agreement, records, as_of, known_at) for as_of, known_at in questions]

    assert with_snapshots == without
    assert without == held
    if stored is not None:  # what was written reads back, whole
        body, version, cutoff = stored
        read = snapshot_format.loads(body, agreement, version, cutoff)
        assert read is not None and snapshot_format.dumps(read) == body


def _stored(tracker: Tracker, agreement: str) -> tuple[str, int, dt.date] | None:
    t = snapshots_table
    query = sa.select(t.c.body, t.c.version, t.c.cutoff).where(t.c.agreement == agreement)
    with tracker.store.engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (row.body, row.version, row.cutoff)
