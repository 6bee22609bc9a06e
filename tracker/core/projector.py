"""The projector: a pure fold from an agreement's log to its state as of a date."""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, TypeVar, assert_never

import msgspec
from msgspec.structs import replace

from tracker.core.dates import day_after
from tracker.core.events import (
    CORRECTIONS,
    AgreementCreated,
    Certainty,
    Citation,
    EventCorrected,
    EventRetracted,
    Fact,
    NoteRecorded,
    Party,
    ProposalResolved,
    RecordReviewed,
    TermAffirmed,
    TermAmended,
    TermEnded,
    TermProposed,
    TermSet,
)
from tracker.core.state import (
    STRENGTH,
    AgreementState,
    EndedTerm,
    FieldState,
    Possible,
    Proposal,
    Recorded,
    SetFields,
    TermState,
)

ONE_DAY = dt.timedelta(days=1)
T = TypeVar("T")


class Applied(NamedTuple):
    """A fact that counts, with its log position and the corrections it went through (a
    named tuple: replay makes one per event, so it must be cheap)."""

    fact: Fact
    position: int
    corrections: tuple[str, ...] = ()

    @property
    def events(self) -> tuple[str, ...]:
        """The ids of the event and of the corrections that shaped it."""
        return (self.fact.id, *self.corrections)


class Resolved(msgspec.Struct, frozen=True):
    """What retractions and corrections make of a log: the facts that count, and the rest."""

    facts: tuple[Applied, ...]
    retracted: Mapping[str, str]
    corrected_by: dict[str, tuple[str, ...]]


def known(records: Iterable[Recorded], known_at: dt.datetime | None) -> list[Recorded]:
    """The records recorded by `known_at` (all of them when it is None), in log order."""
    kept = [r for r in records if known_at is None or r.recorded_at <= known_at]
    kept.sort(key=lambda r: r.position)
    return kept


class Corrections(msgspec.Struct, frozen=True):
    """What a log's retractions and corrections do to the facts they target."""

    retracted: dict[str, str]  # the events that no longer count -> the retraction that counts
    content: dict[str, Fact]  # the corrected facts -> their content now
    corrected_by: dict[str, tuple[str, ...]]  # the corrected facts -> their corrections


def corrections_of(meta: Sequence[EventRetracted | EventCorrected]) -> Corrections:
    """What the retractions and corrections of a log, in log order, do.

    An event counts unless a retraction that itself counts targets it, so retracting a
    retraction restores its target. A correction of a correction corrects the same event.
    """
    retracted: dict[str, str] = {}
    for event in reversed(meta):
        if event.id not in retracted and isinstance(event, EventRetracted):
            retracted.setdefault(event.target, event.id)
    roots: dict[str, str] = {}
    content: dict[str, Fact] = {}
    corrected_by: dict[str, tuple[str, ...]] = {}
    for event in meta:
        if isinstance(event, EventCorrected):
            root = roots.get(event.target, event.target)
            roots[event.id] = root
            if event.id not in retracted:
                replacement = event.replacement
                if replacement.id != root:  # a correction of a correction names the correction
                    replacement = replace(replacement, id=root)
                content[root] = replacement
                corrected_by[root] = (*corrected_by.get(root, ()), event.id)
    return Corrections(retracted, content, corrected_by)


def resolve(records: list[Recorded]) -> Resolved:
    """Apply retractions and corrections (see `corrections_of`); return the facts that count, in
    valid-time order (the one order, `in_valid_order`'s). `records` must be in log order (as
    `known` returns them)."""
    result = corrections_of([r.event for r in records if isinstance(r.event, CORRECTIONS)])
    facts: list[tuple[Fact, int]] = [
        (r.event, r.position) for r in records if not isinstance(r.event, CORRECTIONS)
    ]
    facts.sort(key=_first_day)  # stable: same-day facts stay in log order
    corrected = [r for r in records if r.event.id in result.content] if result.content else []
    ordered = tuple(in_valid_order(facts, corrected, result))
    return Resolved(ordered, result.retracted, result.corrected_by)


def _first_day(fact: tuple[Fact, int]) -> dt.date:
    return fact[0].effective.first


def in_valid_order(
    by_first_day: Iterable[tuple[Fact, int]], corrected: Iterable[Recorded], result: Corrections
) -> Iterator[Applied]:
    """The facts that count in valid-time order, the one order of facts (by the day by which
    each surely came, `When.key`, then by position; `resolve` takes it too), from a log's
    facts (with their positions) ordered by the first day of their dates, then by position
    (without retractions and corrections: `result` says what those do), and `corrected`, the
    facts corrections target (in any order). One pass that holds only the facts whose
    imprecise dates are still open, never the whole log."""
    retracted, content, corrected_by = result.retracted, result.content, result.corrected_by
    waiting: list[tuple[tuple[dt.date, dt.date], int, Applied]] = []
    for r in corrected:
        fact = content.get(r.event.id)
        if fact is not None and r.event.id not in retracted:
            applied = Applied(fact, r.position, corrected_by[r.event.id])
            waiting.append((fact.effective.key, r.position, applied))
    heapq.heapify(waiting)
    touched = bool(retracted or content)
    for event, position in by_first_day:
        if touched and (event.id in retracted or event.id in content):
            continue
        when = event.effective
        if waiting:
            # What sorts before (first, first) goes: no fact still to come sorts before it.
            bound = (when.first, when.first)
            while waiting and waiting[0][0] < bound:
                yield heapq.heappop(waiting)[2]
        if waiting or when.first != when.last:
            heapq.heappush(waiting, (when.key, position, Applied(event, position)))
        else:  # the common case: nothing can come before it
            yield Applied(event, position)
    while waiting:
        yield heapq.heappop(waiting)[2]


class Live(NamedTuple):
    """A term in force while folding: the term.set that put it in force, and the amendments
    and affirmations applied since (a named tuple: replay makes one per term.set)."""

    set: Applied
    later: tuple[Applied, ...] = ()


class Fold(msgspec.Struct):
    """The working state of a fold: it changes in place, and only its own fold and
    `explain` (which reads it) ever see it."""

    title: str | None = None
    parties: tuple[Party, ...] = ()
    terms: dict[str, Live] = msgspec.field(default_factory=dict)
    pending: dict[str, Proposal] = msgspec.field(default_factory=dict)
    resolved: dict[str, Proposal] = msgspec.field(default_factory=dict)
    ended: dict[str, EndedTerm] = msgspec.field(default_factory=dict)
    possible: dict[str, Possible] = msgspec.field(default_factory=dict)
    next_expiry: dt.date | None = None
    created: dt.date | None = None  # the first day of the agreement's creation, once applied

    def expire(self, before: dt.date) -> None:
        """End every term whose `expires` range ends before `before`."""
        if self.next_expiry is None or self.next_expiry >= before:
            return
        for key, live in list(self.terms.items()):
            expires = _set_of(live).expires
            if expires is not None and expires.last < before:
                del self.terms[key]
                certainty = term_state(live).certainty
                self.ended[key] = EndedTerm(
                    _summary(live), day_after(expires), "expired", _events(live), certainty
                )
        expiries = (e.last for live in self.terms.values() if (e := _set_of(live).expires))
        self.next_expiry = min(expiries, default=None)

    def term_states(self) -> dict[str, TermState]:
        """The terms in force, as values, by key (the fold's own order depends on which facts
        a replay skipped)."""
        return {key: term_state(self.terms[key]) for key in sorted(self.terms)}


def _set_of(live: Live) -> TermSet:
    fact = live.set.fact
    assert isinstance(fact, TermSet)
    return fact


def _events(live: Live) -> tuple[str, ...]:
    """The events that shaped a term: its term.set and its amendments (not affirmations)."""
    events = live.set.events
    for applied in live.later:
        if isinstance(applied.fact, TermAmended):
            events = (*events, *applied.events)
    return events


def _summary(live: Live) -> str:
    summary = _set_of(live).summary
    for applied in live.later:
        if isinstance(applied.fact, TermAmended) and applied.fact.summary is not None:
            summary = applied.fact.summary
    return summary


def _supporting(citations: Sequence[Citation]) -> tuple[str, ...]:
    """The sources that support a fact, each once, in the order cited."""
    if len(citations) == 1:  # the common case, without the list, dict and tuple of the rest
        (c,) = citations
        return (c.source,) if c.stance == "supports" else ()
    return tuple(dict.fromkeys([c.source for c in citations if c.stance == "supports"]))


def weakest(certainties: Iterable[Certainty]) -> Certainty:
    """The least sure of some certainties (confirmed > reported > rumored)."""
    return min(certainties, key=STRENGTH.__getitem__)


def term_state(live: Live) -> TermState:
    """The term a term.set and what followed it put in force, field by field."""
    fact = _set_of(live)
    if not live.later:
        return set_state(fact, live.set.events)
    # The amendments and affirmations since, field by field from the term.set's.
    since, certainty = fact.effective, fact.certainty
    changed = dict(set_state(fact, live.set.events).fields)
    gathered: list[Citation] = list(fact.sources)
    affirmed: list[str] = []
    for applied in live.later:
        later = applied.fact
        gathered.extend(later.sources)
        if isinstance(later, TermAffirmed):
            affirmed.extend(applied.events)
        elif isinstance(later, TermAmended):
            changed = _amend(changed, later, applied.events)
    return TermState(
        summary=_summary(live),
        value=MappingProxyType({k: f.value for k, f in changed.items()}),
        since=since,
        expires=fact.expires,
        ends_when=fact.ends_when,
        certainty=weakest({f.certainty for f in changed.values()} or {certainty}),
        events=_events(live),
        sources=_supporting(gathered),
        citations=tuple(gathered),
        fields=MappingProxyType(changed),
        affirmed_by=tuple(affirmed),
    )


def set_state(fact: TermSet, events: tuple[str, ...]) -> TermState:
    """The term a term.set put in force with nothing since (`events`: its own and its
    corrections'): every field since its date, as sure and on the same word. The common
    case, and the whole answer where a stored answer holds: made with no more than it needs
    (the fields' states are made when they are read, see SetFields)."""
    since, certainty, citations = fact.effective, fact.certainty, fact.sources
    backing = _supporting(citations)
    value = dict(fact.value)  # as the fields hold it
    fields = SetFields(value, since, certainty, events, backing)
    return TermState(fact.summary, MappingProxyType(value), since, fact.expires, fact.ends_when,
                     certainty, events, backing, citations, fields, ())  # fmt: skip


def term_state_after(before: TermState, live: Live) -> TermState:
    """`term_state(live)` from `before`, the state of the same term.set with all but the last
    of `live.later`: a caller that follows a term fact by fact pays for the last fact only,
    not for every amendment since the term.set."""
    applied = live.later[-1]
    later = applied.fact
    changed = dict(before.fields)
    events, summary, affirmed_by = before.events, before.summary, before.affirmed_by
    if isinstance(later, TermAffirmed):
        affirmed_by = (*affirmed_by, *applied.events)
    elif isinstance(later, TermAmended):
        changed = _amend(changed, later, applied.events)
        events = (*events, *applied.events)
        summary = later.summary if later.summary is not None else summary
    certainty = weakest({f.certainty for f in changed.values()} or {_set_of(live).certainty})
    return replace(
        before,
        summary=summary,
        value=MappingProxyType({k: f.value for k, f in changed.items()}),
        certainty=certainty,
        events=events,
        sources=tuple(dict.fromkeys((*before.sources, *_supporting(later.sources)))),
        citations=(*before.citations, *later.sources),
        fields=MappingProxyType(changed),
        affirmed_by=affirmed_by,
    )


def fields_after(
    fields: Mapping[str, T], amendment: TermAmended, made: Callable[[Any], T]
) -> dict[str, T]:
    """A term's value fields after an amendment: each field it gives a value holds what `made`
    makes of that value (a new one comes last), each it sets to null is removed, the others
    are kept as they were."""
    after = dict(fields)
    for name, value in amendment.changes.items():
        if value is None:
            after.pop(name, None)
        else:
            after[name] = made(value)
    return after


def _amend(
    fields: Mapping[str, FieldState], amended: TermAmended, events: tuple[str, ...]
) -> dict[str, FieldState]:
    """A term's fields after an amendment, each it changes since its date, as sure and on the
    word of its sources."""
    backing = _supporting(amended.sources)
    when, certainty = amended.effective, amended.certainty
    return fields_after(fields, amended, lambda v: FieldState(v, when, certainty, events, backing))


def _created(fold: Fold, fact: AgreementCreated, applied: Applied) -> None:
    fold.created = fact.effective.first
    fold.title = fact.title
    fold.parties = fact.parties


def _term_set(fold: Fold, fact: TermSet, applied: Applied) -> None:
    fold.terms[fact.term] = Live(applied)
    if fold.ended:
        fold.ended.pop(fact.term, None)
    expires = fact.expires
    if expires is not None and (fold.next_expiry is None or expires.last < fold.next_expiry):
        fold.next_expiry = expires.last


def _term_changed(fold: Fold, fact: TermAmended | TermAffirmed, applied: Applied) -> None:
    """An amendment or affirmation of a term in force; of any other term, it changes nothing
    (the log refuses it when it is appended)."""
    live = fold.terms.get(fact.term)
    if live is not None:
        fold.terms[fact.term] = Live(live.set, (*live.later, applied))


def _term_ended(fold: Fold, fact: TermEnded, applied: Applied) -> None:
    live = fold.terms.pop(fact.term, None)
    if live is not None:
        events = (*_events(live), *applied.events)
        fold.ended[fact.term] = EndedTerm(
            _summary(live), fact.effective, fact.reason, events, fact.certainty
        )


def _term_proposed(fold: Fold, fact: TermProposed, applied: Applied) -> None:
    fold.pending[fact.id] = Proposal(
        fact.id, fact.term, fact.summary, fact.certainty, fact.effective
    )


def _proposal_resolved(fold: Fold, fact: ProposalResolved, applied: Applied) -> None:
    proposal = fold.pending.pop(fact.proposal, None)
    if proposal is not None:
        fold.resolved[fact.proposal] = replace(
            proposal, resolution=fact.resolution, resolved_by=fact.id
        )


def apply(fold: Fold, applied: Applied) -> None:
    """Apply one fact to the fold; a fact type without a case here is a type error."""
    fact = applied.fact
    match fact:
        case TermSet():
            _term_set(fold, fact, applied)
        case TermAmended() | TermAffirmed():
            _term_changed(fold, fact, applied)
        case TermEnded():
            _term_ended(fold, fact, applied)
        case TermProposed():
            _term_proposed(fold, fact, applied)
        case ProposalResolved():
            _proposal_resolved(fold, fact, applied)
        case NoteRecorded() | RecordReviewed():
            pass  # notes and reviews change no term
        case AgreementCreated():
            _created(fold, fact, applied)
        case _:
            assert_never(fact)


def _possible(fold: Fold, applied: Applied) -> Possible | None:
    """What a term would be if a change of uncertain date had come; None for a fact that
    changes no term's content."""
    fact = applied.fact
    if isinstance(fact, TermSet):
        return Possible(fact.id, fact.effective, "set", fact.certainty, term_state(Live(applied)))
    if isinstance(fact, TermAmended) and (live := fold.terms.get(fact.term)) is not None:
        after = term_state(Live(live.set, (*live.later, applied)))
        return Possible(fact.id, fact.effective, "amended", fact.certainty, after)
    if isinstance(fact, TermEnded) and fact.term in fold.terms:
        return Possible(fact.id, fact.effective, "ended", fact.certainty, None)
    return None


def _possible_expiries(fold: Fold, as_of: dt.date) -> None:
    """Terms whose imprecise expiry may have come by `as_of`."""
    for key, live in fold.terms.items():
        expires = _set_of(live).expires
        if expires is not None and not expires.exact and expires.first < as_of:
            certainty = term_state(live).certainty
            fold.possible.setdefault(
                key, Possible(live.set.fact.id, day_after(expires), "expired", certainty, None)
            )


def fold(facts: Iterable[Applied], as_of: dt.date, resume: Fold | None = None) -> Fold:
    """Apply, in order, every fact whose date is surely on or before `as_of`; list the changes
    whose imprecise date may be, and skip the rest. Nothing can come before the agreement
    exists: a date "on or before" a day starts, for this, on the agreement's creation (and
    facts without it, as a read that stops before the creation gives, have no possible
    changes). `resume` goes on from a fold left by `advance` (a snapshot's), changing it in
    place: every one of `facts` must sort after the facts it holds. The facts are read once,
    in order (they may come as the log is read)."""
    state = Fold() if resume is None else resume
    resumed = state.created
    created: dt.date | None = None  # the one creation, among the first facts
    maybe = []
    for applied in facts:
        fact = applied.fact
        when = fact.effective
        if created is None and isinstance(fact, AgreementCreated):
            created = when.first
        if when.last <= as_of:
            state.expire(when.last)
            apply(state, applied)
        elif when.first <= as_of:
            maybe.append(applied)
    state.expire(as_of)
    start = created or resumed or dt.date.max
    _possible_changes(state, maybe if start <= as_of else [])
    _possible_expiries(state, as_of)
    return state


def advance(state: Fold, facts: Iterable[Applied]) -> dt.date | None:
    """Apply every fact, in order, as `fold` does before it finishes (no expiry after the last
    fact, no possible changes): the fold a snapshot keeps. Return the last day of the latest
    fact applied (None when there is none): the fold stands for every date from then on."""
    last = None
    for applied in facts:
        last = applied.fact.effective.last
        state.expire(last)
        apply(state, applied)
    return last  # facts come in valid-time order: the last one's is the latest


def _possible_changes(state: Fold, possible: list[Applied]) -> None:
    """List each term's first change that may have come; a possible term.set takes the
    possible amendments and affirmations that follow it, so that its fields keep their own
    certainty."""
    opened: dict[str, Live] = {}
    for applied in possible:
        fact = applied.fact
        term = getattr(fact, "term", "")
        if isinstance(fact, TermAmended | TermAffirmed) and term in opened:
            opened[term] = Live(opened[term].set, (*opened[term].later, applied))
            continue
        change = _possible(state, applied)
        if change is not None and term not in state.possible:
            state.possible[term] = change
            if isinstance(fact, TermSet):
                opened[term] = Live(applied)
    for term, live in opened.items():
        if live.later:
            after = term_state(live)
            state.possible[term] = replace(
                state.possible[term], certainty=after.certainty, term=after
            )


def project(
    agreement: str,
    records: Iterable[Recorded],
    as_of: dt.date,
    known_at: dt.datetime | None = None,
) -> AgreementState:
    """The agreement's state on `as_of`, counting only what was recorded by `known_at`."""
    return state_of(agreement, resolve(known(records, known_at)), as_of, known_at)


def replay(
    agreement: str,
    corrections: Sequence[Recorded],
    corrected: Iterable[Recorded],
    by_first_day: Iterable[tuple[Fact, int]],
    as_of: dt.date,
    known_at: dt.datetime | None,
) -> AgreementState:
    """The agreement's state on `as_of`, as `project` gives it, from its log read in parts:
    its retractions and corrections in log order, the facts those corrections target, and its
    other events in the order `in_valid_order` takes, which are folded as they come (all of
    them recorded by `known_at`)."""
    result = corrections_of([r.event for r in corrections if isinstance(r.event, CORRECTIONS)])
    facts = in_valid_order(by_first_day, corrected, result)
    return state_of_fold(agreement, fold(facts, as_of), result.retracted, as_of, known_at)


def one_term(
    key: str,
    records: list[Recorded],
    created: dt.date | None,
    as_of: dt.date,
    known_at: dt.datetime | None,
) -> tuple[TermState | None, EndedTerm | None, Possible | None]:
    """One term on `as_of`, as known at `known_at`, as `project` has it (in force, ended,
    possibly changed), from the events replaying it needs, in log order, and the first day of
    the agreement's creation when the creation is not among them (only that day counts, and
    only for a change that may have come by `as_of`: None will do when there is none)."""
    if len(records) == 1 and (term := lone_set(key, records[0], as_of, known_at)) is not None:
        return term, None, None
    result = fold(resolve(known(records, known_at)).facts, as_of, Fold(created=created))
    live = result.terms.get(key)
    term = None if live is None else term_state(live)
    return term, result.ended.get(key), result.possible.get(key)


def lone_set(
    key: str, r: Recorded, as_of: dt.date, known_at: dt.datetime | None
) -> TermState | None:
    """The term on `as_of`, as known at `known_at`, when a record alone in the events that
    replaying it needs is a term.set of it, in force since a day gone by, without expiry: the
    common case, and a stored answer's; None when replay must say."""
    fact = r.event
    if (
        isinstance(fact, TermSet)
        and fact.term == key
        and fact.expires is None
        and fact.effective.last <= as_of
        and (known_at is None or r.recorded_at <= known_at)
    ):
        return set_state(fact, (fact.id,))
    return None


def state_of(
    agreement: str,
    resolution: Resolved,
    as_of: dt.date,
    known_at: dt.datetime | None,
    resume: Fold | None = None,
) -> AgreementState:
    """The state on `as_of` of a log whose retractions and corrections are resolved; with
    `resume`, the facts are the ones that follow that fold (see `fold`)."""
    result = fold(resolution.facts, as_of, resume)
    return state_of_fold(agreement, result, resolution.retracted, as_of, known_at)


def state_of_fold(
    agreement: str,
    result: Fold,
    retracted: Mapping[str, str],
    as_of: dt.date,
    known_at: dt.datetime | None,
    terms: Mapping[str, TermState] | None = None,
) -> AgreementState:
    """The state a finished fold gives; `terms`, when the caller has the term states already
    (the timeline follows them day by day), instead of making them anew."""
    return AgreementState(
        agreement=agreement,
        as_of=as_of,
        known_at=known_at,
        title=result.title,
        parties=result.parties,
        terms=result.term_states() if terms is None else terms,
        pending=result.pending,
        resolved=result.resolved,
        ended=result.ended,
        possible=result.possible,
        retracted=retracted,
    )
