"""Reads of several statements stop at the last position stored when they began: an append
committed while one is under way is not half seen (on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.test_store import created
from tracker.core.events import Event, event_from_dict
from tracker.core.projector import replay
from tracker.service import Tracker
from tracker.store import terms
from tracker.store.engines import create_engine
from tracker.store.log import EventStore, Replay

AS_OF = dt.date(2025, 12, 31)
LATER = dt.datetime(2100, 1, 1)


def fact_and_its_retraction() -> list[Event]:
    """A term.set and, in the same append, the retraction that takes it back."""
    common = {"agreement": "acme", "effective": "2025-02-01"}
    return [
        event_from_dict({**common, "type": "term.set", "id": "f", "term": "supply.volume",
                         "summary": "s", "value": {"per_day": 1}}),
        event_from_dict({**common, "type": "event.retracted", "id": "r", "target": "f",
                         "reason": "wrong"}),
    ]  # fmt: skip


@pytest.fixture
def reader(store: EventStore, db_url: str) -> Iterator[EventStore]:
    """Another store on the same database: it reads while `store` appends."""
    other = EventStore(create_engine(db_url))
    yield other
    other.close()


def test_a_state_read_while_an_append_commits_sees_none_of_it(
    store: EventStore, reader: EventStore
) -> None:
    store.append("acme", [created()])

    with reader.read_for_state("acme", AS_OF, LATER) as read:
        assert isinstance(read, Replay)
        store.append("acme", fact_and_its_retraction())  # commits before the facts are read
        state = replay("acme", read.amendments, read.corrected, read.facts, AS_OF, LATER)

    assert dict(state.terms) == {}
    assert [r.event.id for r in reader.read("acme")] == ["acme-created", "f", "r"]


def test_terms_read_while_an_append_commits_sees_none_of_it(
    store: EventStore, reader: EventStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.append("acme", [created()])
    moment = terms.moment
    appended: list[bool] = []

    def append_then(value: Any) -> dt.datetime:
        """Between the read's first statement and its second, an append commits."""
        if not appended:
            appended.append(True)
            store.append("acme", fact_and_its_retraction()[:1])
        return moment(value)

    monkeypatch.setattr(terms, "moment", append_then)
    answer = Tracker(reader).terms("supply.volume", AS_OF, LATER)

    assert appended == [True]
    assert answer == []
