"""The projector: a pure fold from an agreement's log to its state as of a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import NamedTuple, assert_never

from tracker.core.events import (
    AMENDMENTS,
    AgreementCreated,
    Citation,
    EventCorrected,
    EventRetracted,
    Fact,
    NoteRecorded,
    Party,
    ProposalResolved,
    TermEnded,
    TermProposed,
    TermSet,
)
from tracker.core.gc_pause import paused
from tracker.core.state import AgreementState, EndedTerm, Proposal, Recorded, TermState

ONE_DAY = dt.timedelta(days=1)


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


@dataclass(frozen=True, slots=True)
class Resolution:
    """What retractions and corrections make of a log: the facts that count, and the rest."""

    facts: tuple[Applied, ...]
    retracted: Mapping[str, str]
    corrected_by: dict[str, tuple[str, ...]]


def known(records: Iterable[Recorded], known_at: dt.datetime | None) -> list[Recorded]:
    """The records recorded by `known_at` (all of them when it is None), in log order."""
    kept = [r for r in records if known_at is None or r.recorded_at <= known_at]
    kept.sort(key=lambda r: r.position)
    return kept


def _effective(applied: Applied) -> dt.date:
    return applied.fact.effective


def resolve(records: list[Recorded]) -> Resolution:
    """Apply retractions and corrections; return the facts that count, in valid-time order.
    `records` must be in log order (as `known` returns them).

    An event counts unless a retraction that itself counts targets it, so retracting a
    retraction restores its target. A correction of a correction corrects the same event.
    """
    meta = [r.event for r in records if isinstance(r.event, AMENDMENTS)]
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
                    replacement = replacement.model_copy(update={"id": root})
                content[root] = replacement
                corrected_by[root] = (*corrected_by.get(root, ()), event.id)
    if meta:
        facts = [
            Applied(content.get(r.event.id, r.event), r.position, corrected_by.get(r.event.id, ()))
            for r in records
            if r.event.id not in retracted and not isinstance(r.event, AMENDMENTS)
        ]
    else:
        facts = [Applied(r.event, r.position) for r in records]  # type: ignore[arg-type]
    facts.sort(key=_effective)  # stable: same-day facts stay in log order
    return Resolution(tuple(facts), retracted, corrected_by)


@dataclass(slots=True)
class Fold:
    """The working state of a fold: it changes in place, and only its own fold and
    `explain` (which reads it) ever see it."""

    title: str | None = None
    parties: tuple[Party, ...] = ()
    terms: dict[str, Applied] = field(default_factory=dict)  # the term.set in force
    pending: dict[str, Proposal] = field(default_factory=dict)
    resolved: dict[str, Proposal] = field(default_factory=dict)
    ended: dict[str, EndedTerm] = field(default_factory=dict)
    next_expiry: dt.date | None = None

    def expire(self, before: dt.date) -> None:
        """End every term whose `expires` date is before `before`."""
        if self.next_expiry is None or self.next_expiry >= before:
            return
        for key, applied in list(self.terms.items()):
            term = applied.fact
            assert isinstance(term, TermSet)
            if term.expires is not None and term.expires < before:
                del self.terms[key]
                self.ended[key] = EndedTerm(
                    term.summary, term.expires + ONE_DAY, "expired", applied.events
                )
        expiries = (a.fact.expires for a in self.terms.values() if isinstance(a.fact, TermSet))
        self.next_expiry = min((e for e in expiries if e is not None), default=None)

    def term_states(self) -> dict[str, TermState]:
        """The terms in force, as values."""
        return {key: term_state(applied) for key, applied in self.terms.items()}


def _supporting(citations: tuple[Citation, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.source for c in citations if c.stance == "supports"))


def _created(fold: Fold, fact: AgreementCreated, applied: Applied) -> None:
    fold.title = fact.title
    fold.parties = fact.parties


def term_state(applied: Applied) -> TermState:
    """The term a term.set puts in force."""
    fact = applied.fact
    assert isinstance(fact, TermSet)
    return TermState(
        summary=fact.summary,
        value=MappingProxyType(fact.value),
        since=fact.effective,
        expires=fact.expires,
        ends_when=fact.ends_when,
        certainty=fact.certainty,
        events=applied.events,
        sources=_supporting(fact.sources),
        citations=fact.sources,
    )


def _term_set(fold: Fold, fact: TermSet, applied: Applied) -> None:
    fold.terms[fact.term] = applied
    if fold.ended:
        fold.ended.pop(fact.term, None)
    if fact.expires is not None and (fold.next_expiry is None or fact.expires < fold.next_expiry):
        fold.next_expiry = fact.expires


def _term_ended(fold: Fold, fact: TermEnded, applied: Applied) -> None:
    live = fold.terms.pop(fact.term, None)
    if live is not None:
        assert isinstance(live.fact, TermSet)
        events = (*live.events, *applied.events)
        fold.ended[fact.term] = EndedTerm(live.fact.summary, fact.effective, fact.reason, events)


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
        case TermEnded():
            _term_ended(fold, fact, applied)
        case TermProposed():
            _term_proposed(fold, fact, applied)
        case ProposalResolved():
            _proposal_resolved(fold, fact, applied)
        case NoteRecorded():
            pass  # notes change no term
        case AgreementCreated():
            _created(fold, fact, applied)
        case _:
            assert_never(fact)


def fold(facts: Iterable[Applied], as_of: dt.date) -> Fold:
    """Apply, in order, every fact effective on or before `as_of`."""
    state = Fold()
    for applied in facts:
        fact = applied.fact
        if fact.effective > as_of:
            break
        state.expire(fact.effective)
        apply(state, applied)
    state.expire(as_of)
    return state


def project(
    agreement: str,
    records: Iterable[Recorded],
    as_of: dt.date,
    known_at: dt.datetime | None = None,
) -> AgreementState:
    """The agreement's state on `as_of`, counting only what was recorded by `known_at`."""
    with paused():
        resolution = resolve(known(records, known_at))
        result = fold(resolution.facts, as_of)
    return AgreementState(
        agreement=agreement,
        as_of=as_of,
        known_at=known_at,
        title=result.title,
        parties=result.parties,
        terms=result.term_states(),
        pending=result.pending,
        resolved=result.resolved,
        ended=result.ended,
        retracted=resolution.retracted,
    )
