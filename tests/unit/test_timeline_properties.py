"""The timeline and the report's states come from one fold over the log in date order: on
random logs, each of their states is the one a projection on its own date gives."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_terms_properties import as_of_dates, created, event
from tracker.core.diff import diff_across
from tracker.core.events import Event
from tracker.core.projector import known, project, resolve, state_of
from tracker.core.state import Recorded
from tracker.core.timeline import change_dates, states_on, timeline
from tracker.core.turns import turning_days, turns

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AGREEMENT = "acme"
T0 = dt.datetime(2025, 2, 1, 9, 0, 0)


@st.composite
def logs(draw: st.DrawFn) -> list[Recorded]:
    """A log of one agreement: its creation and up to 25 random facts, retractions and
    corrections, recorded a second apart (not all of them kept by the store's rules: the
    projection reads whatever it is given)."""
    log: list[Event] = [created(AGREEMENT)]
    keys = ["price.unit", "supply.volume"]
    for n in range(draw(st.integers(0, 25))):
        log.append(event(draw, AGREEMENT, n, keys, log))
    return [Recorded(e, n, n, T0 + dt.timedelta(seconds=n)) for n, e in enumerate(log, 1)]


@PROPERTY
@given(records=logs(), extra=st.lists(as_of_dates, max_size=6), seconds=st.integers(0, 30))
def test_states_of_one_fold_equal_a_projection_on_each_date(
    records: list[Recorded], extra: list[dt.date], seconds: int
) -> None:
    known_at = T0 + dt.timedelta(seconds=seconds)
    resolution = resolve(known(records, known_at))
    days = sorted({*change_dates(resolution), *turning_days(resolution), *extra})

    folded = states_on(AGREEMENT, resolution, days, known_at)

    assert folded == [state_of(AGREEMENT, resolution, day, known_at) for day in days]


@PROPERTY
@given(records=logs(), seconds=st.integers(0, 30))
def test_timeline_states_equal_a_projection_on_each_change_date(
    records: list[Recorded], seconds: int
) -> None:
    known_at = T0 + dt.timedelta(seconds=seconds)
    days = change_dates(resolve(known(records, known_at)))

    made = timeline(AGREEMENT, records, known_at)

    assert list(made.states) == [project(AGREEMENT, records, day, known_at) for day in days]


@PROPERTY
@given(records=logs(), seconds=st.integers(0, 30), all_pairs=st.booleans())
def test_turns_states_and_diffs_equal_a_projection_and_diff_on_each_day(
    records: list[Recorded], seconds: int, all_pairs: bool
) -> None:
    known_at = T0 + dt.timedelta(seconds=seconds)
    resolution = resolve(known(records, known_at))

    turned = turns(AGREEMENT, records, known_at, dt.date(2025, 3, 1), 1000 if all_pairs else 0)

    states = [state_of(AGREEMENT, resolution, day, known_at) for day in turned.dates]
    n = len(states)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if all_pairs or j == i + 1]
    assert list(turned.states) == states
    assert turned.diffs == {(i, j): diff_across(resolution, states[i], states[j]) for i, j in pairs}
