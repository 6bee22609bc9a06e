"""Reads under appends: reads of several statements stop at the last position stored when
they began, so an append committed while one is under way is not half seen (on SQLite and
PostgreSQL); a streamed read fetches its rows a chunk at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import whole_log_state
from tests.integration.test_store import created
from tracker.core.events import Event, event_from_dict
from tracker.core.projector import replay
from tracker.service import Tracker
from tracker.store import terms
from tracker.store.driver import Cursor
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
        state = replay("acme", read.corrections, read.corrected, read.facts, AS_OF, LATER)

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


def test_on_postgresql_a_stream_fetches_its_rows_a_chunk_at_a_time(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    open_cursors = "SELECT count(*) FROM pg_cursors"
    with engine.connect() as conn:
        look = Cursor.of(conn)
        chunks = look.stream("SELECT generate_series(1, 2500)", {}, size=1000)
        first = next(chunks)
        while_reading = look.rows(open_cursors, {})
        rest = list(chunks)
        after = look.rows(open_cursors, {})
    engine.dispose()

    assert [len(first), *(len(c) for c in rest)] == [1000, 1000, 500]
    assert (while_reading, after) == ([(1,)], [(0,)])


def test_a_state_streamed_over_several_chunks_is_the_state_of_the_whole_log(
    store: EventStore,
) -> None:

    def volume(n: int) -> Event:
        day = dt.date(2025, 1, 2) + dt.timedelta(days=n % 300)
        return event_from_dict({"agreement": "acme", "id": f"v{n}", "type": "term.set",
                                "effective": day.isoformat(), "term": f"t.k{n % 7}",
                                "summary": f"set {n}", "value": {"n": n}})  # fmt: skip

    store.append("acme", [created(), *(volume(n) for n in range(2500))])

    streamed = Tracker(store).state("acme", AS_OF, LATER)
    whole = whole_log_state("acme", store.read("acme"), AS_OF, LATER)

    assert streamed == whole
    # Each key's latest day is day 299 (n % 300 == 299); its last event that day counts.
    assert {k: dict(t.value) for k, t in streamed.terms.items()} == {
        "t.k0": {"n": 1799}, "t.k1": {"n": 1499}, "t.k2": {"n": 1199}, "t.k3": {"n": 899},
        "t.k4": {"n": 599}, "t.k5": {"n": 2399}, "t.k6": {"n": 2099},
    }  # fmt: skip
