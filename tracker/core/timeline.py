"""An agreement over time: the state on every date anything changed, and each term's periods
in force between those dates; the states on many dates in one fold (`states_on`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import msgspec
from msgspec.structs import replace

from tracker.core.dates import When, next_day
from tracker.core.events import Certainty, ProposalResolved, TermSet
from tracker.core.projector import (
    Fold,
    Live,
    Resolved,
    advance,
    fold,
    known,
    resolve,
    state_of_fold,
    term_state,
    term_state_after,
)
from tracker.core.state import AgreementState, Coverage, Proposal, Recorded, TermState

ONE_DAY = dt.timedelta(days=1)


class Period(msgspec.Struct, frozen=True):
    """A stretch of days during which a term was in force with one value."""

    term: str
    start: dt.date
    end: dt.date | None  # the last day in force; None while still in force
    state: TermState
    ended_by: str | None  # "changed", an end reason ("expired", ...), or None while in force
    began: When | None = None  # the date of the change that began it, as written
    until: When | None = None  # the date of the change that ended it (None: none, or unknown)


class Mark(msgspec.Struct, frozen=True):
    """An event that counts, where it falls on the timeline."""

    day: dt.date
    event: str
    type: str
    term: str | None
    certainty: Certainty


class Timeline(msgspec.Struct, frozen=True):
    """The agreement's states on each date something changed, and what they add up to."""

    agreement: str
    known_at: dt.datetime | None
    states: tuple[AgreementState, ...]  # one per date in `dates`
    periods: Mapping[str, tuple[Period, ...]]
    proposals: tuple[Proposal, ...]
    marks: tuple[Mark, ...]
    coverage: Coverage | None = None  # how far the record reaches (None: not asked)

    @property
    def dates(self) -> tuple[dt.date, ...]:
        """The dates on which something changed (an event took effect, a term expired)."""
        return tuple(s.as_of for s in self.states)

    @property
    def title(self) -> str | None:
        """The agreement's title, once it is created."""
        return self.states[-1].title if self.states else None


def change_dates(resolution: Resolved) -> list[dt.date]:
    """Every date on which the state may differ from the day before: the effective date of
    each fact that counts, and the day after each expiry."""
    days: set[dt.date] = set()
    for applied in resolution.facts:
        days.add(applied.fact.effective.last)
        if isinstance(applied.fact, TermSet) and applied.fact.expires is not None:
            after = next_day(applied.fact.expires.last)
            if after is not None:  # an expiry on 9999-12-31 never takes effect
                days.add(after)
    return sorted(days)


def _periods(
    states: Sequence[AgreementState], whens: Mapping[str, When]
) -> dict[str, tuple[Period, ...]]:
    """Each term's periods in force, from the states on consecutive change dates; `whens`,
    the date of each event (by its id, and by the ids of its corrections) as written."""
    periods: dict[str, list[Period]] = {}
    open_: dict[str, Period] = {}
    for state in states:
        for key, period in list(open_.items()):
            now = state.terms.get(key)
            if now is not None and now.events == period.state.events:
                continue
            ended = state.ended.get(key)
            why = "changed" if now is not None else (ended.reason if ended else "retracted")
            until = whens.get(now.events[-1]) if now is not None else ended.ended if ended else None
            end = state.as_of - ONE_DAY
            periods[key][-1] = replace(period, end=end, ended_by=why, until=until)
            del open_[key]
        for key, term in state.terms.items():
            if key not in open_:
                began = whens.get(term.events[-1]) if term.events else None
                open_[key] = Period(key, state.as_of, None, term, None, began)
                periods.setdefault(key, []).append(open_[key])
    return {key: tuple(periods[key]) for key in sorted(periods)}


def _whens(resolution: Resolved) -> dict[str, When]:
    """The date of every fact that counts, as written, by the ids that shaped it."""
    return {e: applied.fact.effective for applied in resolution.facts for e in applied.events}


def _marks(resolution: Resolved) -> tuple[Mark, ...]:
    """The facts that count, each with its date and the term it is about."""
    facts = [a.fact for a in resolution.facts]
    proposed = {f.id: getattr(f, "term", None) for f in facts}
    return tuple(
        Mark(
            f.effective.last,
            f.id,
            f.type,
            proposed.get(f.proposal)
            if isinstance(f, ProposalResolved)
            else getattr(f, "term", None),
            f.certainty,
        )
        for f in facts
    )


def timeline(
    agreement: str, records: Sequence[Recorded], known_at: dt.datetime | None = None
) -> Timeline:
    """The agreement's timeline, as known at `known_at`."""
    resolution = resolve(known(records, known_at))
    states = tuple(states_on(agreement, resolution, change_dates(resolution), known_at))
    proposals = () if not states else (*states[-1].pending.values(), *states[-1].resolved.values())
    return Timeline(
        agreement,
        known_at,
        states,
        _periods(states, _whens(resolution)),
        tuple(sorted(proposals, key=lambda p: (p.since.key, p.event))),
        _marks(resolution),
    )


def states_on(
    agreement: str, resolution: Resolved, days: Iterable[dt.date], known_at: dt.datetime | None
) -> list[AgreementState]:
    """The states on `days` (in ascending order), each as `state_of` gives it, from one fold
    over the facts in date order: a fact that had surely come by one day is applied once, for
    it and every later day, instead of once per day. Each day's state is finished on a copy
    of that fold, with the facts that may have come by then (their dates still open)."""
    facts = resolution.facts  # by the day each had surely come: those by a day come first
    by_first = sorted(range(len(facts)), key=lambda i: facts[i].fact.effective.first)
    running, terms = Fold(), _TermStates()
    applied = begun = 0  # facts[:applied] are in `running`; by_first[:begun] began by the day
    open_: list[int] = []  # the facts begun and not applied, in log order
    states = []
    for day in days:
        start = applied
        while applied < len(facts) and facts[applied].fact.effective.last <= day:
            applied += 1
        advance(running, facts[start:applied])
        new = begun
        while begun < len(facts) and facts[by_first[begun]].fact.effective.first <= day:
            begun += 1
        open_ = sorted(i for i in (*open_, *by_first[new:begun]) if i >= applied)
        result = fold([facts[i] for i in open_], day, _copy(running))
        states.append(
            state_of_fold(
                agreement, result, resolution.retracted, day, known_at, terms.of(result.terms)
            )
        )
    return states


def _copy(running: Fold) -> Fold:
    """A fold to finish for one day, leaving the running one as it is."""
    return replace(
        running,
        terms=dict(running.terms),
        pending=dict(running.pending),
        resolved=dict(running.resolved),
        ended=dict(running.ended),
        possible=dict(running.possible),
    )


class _TermStates:
    """The terms in force as values, each built once: a term unchanged since the day before
    keeps its value, and one amended or affirmed since is built from it."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Live, TermState]] = {}

    def of(self, terms: Mapping[str, Live]) -> dict[str, TermState]:
        """The terms' values, by key in order (as `Fold.term_states` gives them)."""
        values = {}
        for key in sorted(terms):
            live, kept = terms[key], self._kept.get(key)
            if kept is not None and kept[0] is live:
                value = kept[1]
            elif kept is not None and _follows(live, kept[0]):
                value = term_state_after(kept[1], live)
            else:
                value = term_state(live)
            self._kept[key] = (live, value)
            values[key] = value
        return values


def _follows(live: Live, before: Live) -> bool:
    """Whether `live` is `before` and one amendment or affirmation more."""
    return (
        live.set is before.set
        and len(live.later) == len(before.later) + 1
        and live.later[:-1] == before.later
    )
