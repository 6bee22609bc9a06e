"""The rules the log as a whole must keep once retractions and corrections are applied: one
agreement.created, nothing dated before it, each proposal resolved after it is made and at
most once, and no term ended that no term.set ever set. A correction's replacement is judged
in its target's place (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from tracker.core.events import (
    CORRECTIONS,
    AgreementCreated,
    Event,
    EventCorrected,
    ProposalResolved,
    TermEnded,
    TermProposed,
    TermSet,
)
from tracker.core.projector import Applied, known, resolve
from tracker.core.state import Recorded
from tracker.errors import InvalidEventError


def needs_whole_log(events: Sequence[Event]) -> bool:
    """Whether some event can break a rule of the whole log (retractions, corrections,
    resolutions and ends of terms), so that the log must be read to check the append."""
    return any(isinstance(e, (*CORRECTIONS, ProposalResolved, TermEnded)) for e in events)


def check_not_before(created: dt.date | None, events: Sequence[Event]) -> None:
    """Raise InvalidEventError for a fact surely dated before the agreement's creation (its
    last possible day before the creation's first; `created` is that first day)."""
    for event in events:
        if isinstance(event, AgreementCreated):
            created = event.effective.first
        elif (
            created is not None
            and not isinstance(event, CORRECTIONS)
            and event.effective.last < created
        ):
            raise InvalidEventError(
                _before(event.id, str(event.effective), event.agreement, str(created))
            )


def check_whole_log(existing: Sequence[Recorded], new: Sequence[Recorded]) -> None:
    """Raise InvalidEventError when the new records break a rule that the log kept before
    (what was broken before is left to `tracker verify` and the user)."""
    before = set(problems(existing))
    for problem in problems([*existing, *new]):
        if problem not in before:
            raise InvalidEventError(problem)


def problems(records: Sequence[Recorded]) -> list[str]:
    """Each rule the log breaks once retractions and corrections apply, one line each."""
    facts = resolve(known(records, None)).facts
    return (
        _creation_problems(facts)
        + _proposal_problems(facts)
        + ended_unset([r.event for r in records])
    )


def ended_unset(events: Sequence[Event]) -> list[str]:
    """Each term.ended (or correction to one) naming a term that no term.set among `events`
    sets, whatever its date; retracted and corrected events count too, so that retracting a
    term.set never strands its end."""
    facts = [e.replacement if isinstance(e, EventCorrected) else e for e in events]
    terms = set_terms(events)
    return [
        never_set(event.id, fact.term, event.agreement, terms)
        for event, fact in zip(events, facts, strict=True)
        if isinstance(fact, TermEnded) and fact.term not in terms
    ]


def set_terms(events: Sequence[Event]) -> set[str]:
    """The terms some term.set among `events` sets (or a correction into one), retracted or not."""
    facts = [e.replacement if isinstance(e, EventCorrected) else e for e in events]
    return {e.term for e in facts if isinstance(e, TermSet)}


def never_set(event_id: str, term: str, agreement: str, terms: set[str]) -> str:
    """The one line for an event about a term that no term.set names (most often a typo):
    every change of a term says it alike, listing the terms there are."""
    listing = ", ".join(sorted(terms)) or "none"
    return f"event {event_id!r}: term {term!r} was never set in {agreement!r} (terms: {listing})"


def _culprit(applied: Applied) -> str:
    """The event to name: the last correction that shaped a fact, or the fact itself."""
    return applied.corrections[-1] if applied.corrections else applied.fact.id


def _before(culprit: str, effective: str, agreement: str, created: str) -> str:
    return (
        f"event {culprit!r}: dated {effective}, before agreement {agreement!r} was created "
        f"({created})"
    )


def _creation_problems(facts: Sequence[Applied]) -> list[str]:
    created = [a for a in facts if isinstance(a.fact, AgreementCreated)]
    if not created:
        return ["the agreement would be left without its agreement.created event"]
    if len(created) > 1:
        return [
            f"event {_culprit(created[-1])!r}: the agreement would have {len(created)} "
            "agreement.created events, not one"
        ]
    start, moved = created[0].fact.effective, bool(created[0].corrections)
    return [
        _before(
            _culprit(created[0] if moved else a),
            str(a.fact.effective),
            created[0].fact.agreement,
            str(start),
        )
        for a in facts
        if a.fact.effective.last < start.first
    ]


def _proposal_problems(facts: Sequence[Applied]) -> list[str]:
    proposals = {a.fact.id: a for a in facts if isinstance(a.fact, TermProposed)}
    resolved_by: dict[str, str] = {}
    found = []
    for applied in facts:
        fact = applied.fact
        if not isinstance(fact, ProposalResolved):
            continue
        culprit, proposal = _culprit(applied), proposals.get(fact.proposal)
        if proposal is None:
            found.append(f"event {culprit!r}: {fact.proposal!r} would not be a proposal")
        elif fact.effective.last < proposal.fact.effective.first:
            moved = _culprit(proposal) if proposal.corrections else culprit
            found.append(
                f"event {moved!r}: {fact.proposal!r} would be resolved on {fact.effective}, "
                f"before it was made ({proposal.fact.effective})"
            )
        if fact.proposal in resolved_by:
            found.append(
                f"event {culprit!r}: proposal {fact.proposal!r} is already resolved by "
                f"{resolved_by[fact.proposal]!r}"
            )
        resolved_by[fact.proposal] = fact.id
    return found
