"""A change dated "on or before" a day cannot have come before its agreement existed: for
the state on a date, its range starts on the agreement's creation."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.core.events import event_from_dict
from tracker.core.projector import project
from tracker.core.state import Recorded

AT = dt.datetime(2026, 1, 1)


def log(created: str) -> list[Recorded]:
    """An agreement created on `created`, with a term set on or before 2025-01-20."""
    events = [
        {"id": "created", "agreement": "deal", "type": "agreement.created",
         "effective": created, "title": "Deal", "parties": [{"name": "A", "role": "buyer"}]},
        {"id": "volume", "agreement": "deal", "type": "term.set", "effective": "../2025-01-20",
         "term": "supply.volume", "summary": "Ten a day"},
    ]  # fmt: skip
    return [Recorded(event_from_dict(e), n, n, AT) for n, e in enumerate(events, 1)]


@pytest.mark.parametrize(
    ("created", "as_of", "possible"),
    [
        ("2019-07-22", "2019-07-21", []),  # the day before the agreement: nothing can be
        ("2019-07-22", "2019-07-22", ["supply.volume"]),  # from its creation on, it may be
        ("2019-07-22", "2025-01-19", ["supply.volume"]),
        ("2019", "2018-12-31", []),
        ("2019", "2019-03-01", ["supply.volume"]),  # the agreement itself may exist by then
    ],
)
def test_an_open_start_change_is_possible_only_once_the_agreement_may_exist(
    created: str, as_of: str, possible: list[str]
) -> None:
    state = project("deal", log(created), dt.date.fromisoformat(as_of), AT)

    assert list(state.possible) == possible
    assert state.terms == {}


def test_on_its_date_the_open_start_change_is_in_force() -> None:
    state = project("deal", log("2019-07-22"), dt.date(2025, 1, 20), AT)

    assert (list(state.terms), list(state.possible)) == (["supply.volume"], [])
