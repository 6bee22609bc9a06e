"""Why a term is what it is: the chain of events behind it, retracted and corrected ones marked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Literal

import msgspec

from tracker.core.events import (
    CORRECTIONS,
    Event,
    EventCorrected,
    EventRetracted,
    Fact,
    ProposalResolved,
    TermProposed,
    term_of,
)
from tracker.core.projector import Resolved, fold, known, resolve
from tracker.core.state import Coverage, EndedTerm, Possible, Proposal, Recorded, TermState

Status = Literal["counts", "retracted", "corrected"]


class Step(msgspec.Struct, frozen=True):
    """One event of the chain: what was recorded, what counts of it, and why."""

    recorded: Recorded
    content: Fact
    status: Status
    by: tuple[str, ...]
    reasons: tuple[str, ...]


class Explanation(msgspec.Struct, frozen=True):
    """A term's state on a date, as known at a moment, and the events behind it."""

    agreement: str
    term: str
    as_of: dt.date
    known_at: dt.datetime | None
    in_force: TermState | None
    ended: EndedTerm | None
    pending: tuple[Proposal, ...]
    chain: tuple[Step, ...]
    coverage: Coverage | None = None  # how far the record reaches (None: not asked)
    possible: Possible | None = None  # a change of the term whose imprecise date may have come


def _term_of(content: Event, proposals: dict[str, str]) -> str | None:
    if isinstance(content, ProposalResolved):
        return proposals.get(content.proposal)
    return term_of(content)


def _retractions(records: list[Recorded], retracted: Mapping[str, str]) -> dict[str, list[str]]:
    """The ids of the retractions that count, by the id of the event they target."""
    by_target: dict[str, list[str]] = {}
    for r in records:
        event = r.event
        if isinstance(event, EventRetracted) and event.id not in retracted:
            by_target.setdefault(event.target, []).append(event.id)
    return by_target


def explain(
    agreement: str,
    records: Iterable[Recorded],
    term: str,
    as_of: dt.date,
    known_at: dt.datetime | None = None,
) -> Explanation:
    """The term's state on `as_of` and every event about it effective by then."""
    kept = known(records, known_at)
    resolution = resolve(kept)
    chain = _chain(kept, resolution, term, as_of)
    state = fold(resolution.facts, as_of)
    pending = tuple(p for p in state.pending.values() if p.term == term)
    return Explanation(
        agreement,
        term,
        as_of,
        known_at,
        state.term_states().get(term),
        state.ended.get(term),
        pending,
        tuple(chain),
        possible=state.possible.get(term),
    )


def _chain(
    kept: list[Recorded], resolution: Resolved, term: str, as_of: dt.date
) -> tuple[Step, ...]:
    """The events about the term effective by `as_of`, each with what counts of it."""
    counted = {a.fact.id: a.fact for a in resolution.facts}
    corrections: dict[str, EventRetracted | EventCorrected] = {
        r.event.id: r.event for r in kept if isinstance(r.event, CORRECTIONS)
    }
    facts: list[tuple[Recorded, Fact]] = [
        (r, counted.get(r.event.id, r.event))  # type: ignore[arg-type]
        for r in kept
        if r.event.id not in corrections
    ]
    proposals = {f.id: f.term for _, f in facts if isinstance(f, TermProposed)}
    retractions = _retractions(kept, resolution.retracted)
    steps = []
    for r, content in facts:
        if _term_of(content, proposals) != term or content.effective.first > as_of:
            continue
        if r.event.id in resolution.retracted:
            by, status = tuple(retractions.get(r.event.id, ())), "retracted"
        else:
            by = resolution.corrected_by.get(r.event.id, ())
            status = "corrected" if by else "counts"
        reasons = tuple(corrections[b].reason for b in by)
        steps.append(Step(r, content, status, by, reasons))  # type: ignore[arg-type]
    steps.sort(key=lambda s: (s.content.effective.key, s.recorded.position))
    return tuple(steps)
