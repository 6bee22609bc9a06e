"""The event types are listed once: the union, the projector and `record` agree on them."""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest

from tracker.core.events import (
    CORRECTION_TYPES,
    EVENT_TYPES,
    Fact,
    event_from_dict,
)
from tracker.core.projector import Applied, Fold, apply

COMMON = {"id": "e1", "agreement": "acme", "effective": "2025-01-01"}
# One valid example of each type that is a fact about an agreement.
EXAMPLES: dict[str, dict[str, Any]] = {
    "agreement.created": {"title": "Acme", "parties": [{"name": "Acme", "role": "supplier"}]},
    "term.set": {"term": "supply.volume", "summary": "Ten a day"},
    "term.amended": {"term": "supply.volume", "changes": {"per_day": 20}},
    "term.affirmed": {"term": "supply.volume"},
    "term.ended": {"term": "supply.volume", "reason": "terminated"},
    "term.proposed": {"term": "supply.volume", "summary": "Twenty a day"},
    "proposal.resolved": {"proposal": "p1", "resolution": "rejected"},
    "note.recorded": {"note": "context"},
    "record.reviewed": {},
}
FACT_TYPES = [cls.type for cls in get_args(Fact)]


def test_every_event_type_is_a_fact_or_a_correction_of_the_record() -> None:
    assert sorted(EVENT_TYPES) == sorted([*FACT_TYPES, *CORRECTION_TYPES])


@pytest.mark.parametrize("event_type", FACT_TYPES)
def test_the_projector_has_a_case_for_every_fact_type(event_type: str) -> None:
    fact = event_from_dict({**COMMON, "type": event_type, **EXAMPLES[event_type]})

    try:
        apply(Fold(), Applied(fact, 1))  # type: ignore[arg-type]
    except AssertionError:  # assert_never: the match has no case for the type
        pytest.fail(f"the projector has no case for {event_type}")


def test_a_term_set_applied_is_in_force() -> None:
    fact = event_from_dict({**COMMON, "type": "term.set", **EXAMPLES["term.set"]})
    fold = Fold()

    apply(fold, Applied(fact, 1))  # type: ignore[arg-type]

    assert list(fold.term_states()) == ["supply.volume"]
    assert fold.term_states()["supply.volume"].since.first == dt.date(2025, 1, 1)
