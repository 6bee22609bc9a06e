"""What is coming: expiries within a window, conditions still open, proposals still pending."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal

import msgspec

from tracker.core.events import Certainty
from tracker.core.state import AgreementState

Kind = Literal["expires", "proposal", "condition"]
_ORDER: dict[str, int] = {"expires": 0, "proposal": 1, "condition": 2}


class Coming(msgspec.Struct, frozen=True):
    """One thing to watch: a term's last day in force, a pending proposal (dated by when it
    was made), or a term that ends when a condition is met (no date)."""

    kind: Kind
    agreement: str
    term: str
    day: dt.date | None
    summary: str
    detail: str | None
    event: str
    certainty: Certainty
    written: str | None = None  # the date as the record writes it (`../2025-01-20`)


def _of(state: AgreementState, until: dt.date) -> Iterable[Coming]:
    name = state.agreement
    for key, term in state.terms.items():
        # Expiry and condition come from the term.set (its id leads the term's events): an
        # amendment of another field moves neither, so it is not what an entry is credited to.
        event = term.events[0] if term.events else ""
        if term.expires is not None and state.as_of <= term.expires.last <= until:
            yield Coming(
                "expires",
                name,
                key,
                term.expires.last,
                term.summary,
                None,
                event,
                term.certainty,
                written=str(term.expires),
            )
        if term.ends_when is not None:
            yield Coming(
                "condition", name, key, None, term.summary, term.ends_when, event, term.certainty
            )
    for p in state.pending.values():
        yield Coming(
            "proposal",
            name,
            p.term,
            p.since.last,
            p.summary,
            None,
            p.event,
            p.certainty,
            written=str(p.since),
        )


def upcoming(states: Iterable[AgreementState], until: dt.date) -> list[Coming]:
    """Across the states (one per agreement, all on the same date): expiries up to `until`
    soonest first, then pending proposals oldest first, then open conditions."""
    items = [c for s in states for c in _of(s, until)]
    return sorted(
        items,
        key=lambda c: (_ORDER[c.kind], c.day or dt.date.min, c.agreement, c.term, c.event),
    )
