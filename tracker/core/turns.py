"""The days on which what `state` or `diff` answers may turn, with the states and diffs on
them: a page that answers for any picked day from these gives what the commands give."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from tracker.core.dates import next_day
from tracker.core.diff import StateDiff, diff, diff_across
from tracker.core.events import TermAffirmed, TermSet
from tracker.core.projector import Applied, Resolved, known, resolve
from tracker.core.state import AgreementState, Recorded
from tracker.core.timeline import states_on

ONE_DAY = dt.timedelta(days=1)


class Turns(msgspec.Struct, frozen=True):
    """The state before the first turning day and on each one (any other day answers as the
    last of these on or before it), and diffs between them by their indices, earlier first."""

    states: tuple[AgreementState, ...]
    diffs: Mapping[tuple[int, int], StateDiff]

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The day of each state."""
        return tuple(s.as_of for s in self.states)


def turning_days(resolution: Resolved) -> list[dt.date]:
    """Every day on which a state, or a diff's window starting or ending there, may differ
    from the day before: each fact's first day (a change of imprecise date becomes possible,
    an affirmation enters a window) and last day (it applies), and the first and last day
    after each expiry. An open start (`../`) turns nothing by itself: such a change is
    possible from the agreement's creation, whose days are among these."""
    days: set[dt.date] = set()
    for applied in resolution.facts:
        fact = applied.fact
        days.update((fact.effective.first, fact.effective.last))
        if isinstance(fact, TermSet) and fact.expires is not None:
            after = (next_day(d) for d in (fact.expires.first, fact.expires.last))
            days.update(d for d in after if d is not None)
    return sorted(d for d in days if dt.date.min + ONE_DAY < d)


def turns(
    agreement: str,
    records: Iterable[Recorded],
    known_at: dt.datetime | None,
    today: dt.date,
    all_pairs_up_to: int,
) -> Turns:
    """The states on every turning day (on `today` alone when there is none) and the diffs
    between every two of them; beyond `all_pairs_up_to` days, between consecutive ones."""
    resolution = resolve(known(records, known_at))
    days = turning_days(resolution)
    days = [days[0] - ONE_DAY, *days] if days else [today]
    states = tuple(states_on(agreement, resolution, days, known_at))
    n = len(states)
    if n <= all_pairs_up_to:
        pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
        return Turns(
            states, {(i, j): diff_across(resolution, states[i], states[j]) for i, j in pairs}
        )
    ways = _ways(resolution, days)
    return Turns(
        states, {(i, i + 1): diff(states[i], states[i + 1], ways[i + 1]) for i in range(n - 1)}
    )


def _ways(resolution: Resolved, days: Sequence[dt.date]) -> list[list[Applied]]:
    """The facts dated between each day and the day before it in `days` (none for the first),
    as `diff_across` takes them for two consecutive days, from one pass over the facts: each
    falls between the two days around its last day."""
    ways: list[list[Applied]] = [[] for _ in days]
    for applied in resolution.facts:
        fact, when = applied.fact, applied.fact.effective
        i = bisect.bisect_left(days, when.last)
        if 0 < i < len(days) and (not isinstance(fact, TermAffirmed) or days[i - 1] < when.first):
            ways[i].append(applied)
    return ways
