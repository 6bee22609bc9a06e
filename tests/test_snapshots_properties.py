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
from tests.strategies import log_contents, written
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
days = st.integers(0, DAYS).map(lambda n: DAY0 + dt.timedelta(days=n))
# Dates to ask about: in the log's range, and after it (after a year-long imprecise date too).
as_of_days = st.one_of(days, days, st.integers(0, 400).map(lambda n: DAY0 + dt.timedelta(n)))


@st.composite
def steps(draw: st.DrawFn) -> list[dict[str, Any] | None]:
    """Events to append in order (None: write a snapshot there): a random log of every event
    type, its dates in every form, which the store may refuse in part, with a snapshot
    before an event, or at the end, one time in six."""
    log = draw(log_contents(KEYS, max_size=24, on=written(DAYS), changes=True))
    result: list[dict[str, Any] | None] = []
    for data in log[1:]:  # _build writes the agreement's creation
        if draw(st.integers(0, 5)) == 0:
            result.append(None)
        result.append(data)
    if draw(st.integers(0, 5)) == 0:
        result.append(None)
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
