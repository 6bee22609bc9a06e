"""The stored answers of `tracker terms`: the term.set that alone answers a term, and how far
each record reaches, kept on append, read by `terms`, built by the migration for an existing
database, and checked by verify."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.conftest import RECORD
from tests.test_terms import LATER, as_state, created, ev, portfolio, price
from tracker.core.events import Event
from tracker.errors import IntegrityError
from tracker.service import Tracker
from tracker.store import engines
from tracker.store.answers import NEVER
from tracker.store.log import EventStore
from tracker.store.tables import reaches_table, term_latest_table

KEY = "supply.price"


def day(text: str) -> int:
    return dt.date.fromisoformat(text).toordinal()


def stored(tracker: Tracker, agreement: str = "acme") -> tuple[Any, ...]:
    """The stored answer of supply.price in the agreement: position, day, reach."""
    t = term_latest_table
    query = sa.select(t.c.position, t.c.day, t.c.reach).where(
        t.c.term == KEY, t.c.agreement == agreement
    )
    with tracker.store.engine.connect() as conn:
        return tuple(conn.execute(query).one())


def reach(tracker: Tracker, agreement: str = "acme") -> tuple[Any, ...]:
    """The stored reach of the agreement's record: position, day."""
    t = reaches_table
    query = sa.select(t.c.position, t.c.day).where(t.c.agreement == agreement)
    with tracker.store.engine.connect() as conn:
        return tuple(conn.execute(query).one())


def amended(id_: str, effective: str, amount: int) -> Event:
    return ev("acme", id_, type="term.amended", effective=effective, term=KEY,
              changes={"eur": amount})  # fmt: skip


def test_the_last_term_set_of_a_term_is_stored_as_its_answer(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    tracker.store.append("acme", [price("acme", "q", 9, "2025-01-15")])

    assert stored(tracker) == (2, day("2025-02-01"), day("2025-01-15"))


def test_a_later_term_set_takes_the_answers_place(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    tracker.store.append("acme", [price("acme", "q", 11, "2025-02-01")])
    same_day = stored(tracker)
    tracker.store.append("acme", [price("acme", "r", 12, "2025-03-01")])

    assert same_day == (3, day("2025-02-01"), day("2025-02-01"))
    assert stored(tracker) == (4, day("2025-03-01"), day("2025-02-01"))


def test_an_amendment_on_the_answers_day_leaves_the_term_to_replay(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])

    tracker.store.append("acme", [amended("more", "2025-02-01", 11)])
    answer = tracker.terms(KEY, dt.date(2025, 3, 1), LATER)

    assert stored(tracker) == (None, None, day("2025-02-01"))
    assert [(e.agreement, e.term and e.term.value) for e in answer] == [("acme", {"eur": 11})]


def test_what_ended_before_the_answers_day_leaves_it_answering(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-01-10")])
    tracker.store.append("acme", [amended("more", "2025-01-20", 11)])
    tracker.store.append("acme", [ev("acme", "end", type="term.ended", effective="2025-01-25",
                                     term=KEY, reason="terminated")])  # fmt: skip

    tracker.store.append("acme", [price("acme", "q", 12, "2025-02-01")])

    assert stored(tracker) == (5, day("2025-02-01"), day("2025-01-25"))
    assert tracker.terms(KEY, dt.date(2025, 3, 1), LATER) == as_state(
        tracker, KEY, dt.date(2025, 3, 1)
    )


def test_a_term_set_of_imprecise_date_or_with_an_expiry_does_not_answer(
    tracker: Tracker,
) -> None:
    expiring = ev("globex", "p", type="term.set", effective="2025-02-01", term=KEY,
                  summary="until June", value={"eur": 7}, expires="2025-06-30")  # fmt: skip
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02")])
    tracker.store.append("globex", [created("globex"), expiring])

    assert stored(tracker, "acme") == (None, None, day("2025-02-28"))
    assert stored(tracker, "globex") == (None, None, day("2025-02-01"))


def test_a_term_set_after_everything_else_answers_again(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02")])

    tracker.store.append("acme", [price("acme", "q", 11, "2025-03-01")])

    assert stored(tracker) == (3, day("2025-03-01"), day("2025-02-28"))


def test_a_retraction_leaves_the_term_to_replay_for_good(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    tracker.store.append("acme", [ev("acme", "no", type="event.retracted", target="acme-p",
                                     effective="2025-02-05", reason="wrong")])  # fmt: skip

    tracker.store.append("acme", [price("acme", "q", 11, "2025-03-01")])

    assert stored(tracker) == (None, None, NEVER)
    assert tracker.terms(KEY, dt.date(2025, 4, 1), LATER) == as_state(
        tracker, KEY, dt.date(2025, 4, 1)
    )


def test_terms_reads_the_stored_answer_and_verify_names_a_forged_one(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    tracker.store.append("acme", [price("acme", "q", 11, "2025-03-01")])
    t = term_latest_table
    with tracker.store.engine.begin() as conn:  # the older set, as if it came last
        conn.execute(t.update().values(position=2, day=day("2025-02-01"), reach=0))

    forged = tracker.terms(KEY, dt.date(2025, 4, 1), LATER)
    problems = tracker.check().problems

    assert [(e.agreement, e.term and e.term.value) for e in forged] == [("acme", {"eur": 10})]
    assert problems == [
        "term answers: 'supply.price' of acme (the term.set at 3 of 2025-03-01; the other "
        "events: to 2025-02-01) is missing",
        "term answers: 'supply.price' of acme is stored as the term.set at 2 of 2025-02-01; "
        "the other events: none, which the log does not give it",
    ]


def test_terms_as_known_before_the_answer_was_recorded_replays(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    before = tracker.store.clock()
    tracker.store.append("acme", [price("acme", "q", 11, "2025-03-01")])

    then = tracker.terms(KEY, dt.date(2025, 4, 1), before)

    assert [(e.agreement, e.term and e.term.value) for e in then] == [("acme", {"eur": 10})]


def test_the_reach_of_a_record_is_stored_until_a_review_has_a_say(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-03")])
    tracker.store.append("acme", [price("acme", "q", 11, "2025-03-20")])
    latest = reach(tracker)
    review = ev("acme", "checked", type="record.reviewed", effective="2025-04-01")

    tracker.store.append("acme", [review])

    assert latest == (2, day("2025-03-31"))
    assert reach(tracker) == (None, None)
    assert tracker.terms(KEY, dt.date(2025, 4, 1), LATER) == as_state(
        tracker, KEY, dt.date(2025, 4, 1)
    )


def test_terms_reads_the_stored_reach_and_verify_names_a_forged_one(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    with tracker.store.engine.begin() as conn:  # the creation, as if nothing came after it
        conn.execute(reaches_table.update().values(position=1, day=day("2025-01-01")))

    forged = tracker.terms(KEY, dt.date(2025, 4, 1), LATER)
    problems = tracker.check().problems

    assert [(e.agreement, e.coverage and e.coverage.event) for e in forged] == [
        ("acme", "acme-created")
    ]
    assert problems == [
        "reach: acme (the event at 2, to 2025-02-01) is missing",
        "reach: acme is stored as the event at 1, to 2025-01-01, which the log does not give it",
    ]


def test_the_migration_builds_the_stored_answers_of_an_existing_database(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    tracker = Tracker(EventStore(engine))
    portfolio(tracker.store)
    tracker.import_file(RECORD)
    kept_on_append = _tables(engine)
    engines.downgrade(engine, "0010")
    tables_below = sorted(sa.inspect(engine).get_table_names())

    engines.upgrade(engine)

    assert "term_latest" not in tables_below and "reaches" not in tables_below
    assert _tables(engine) == kept_on_append
    latest, reaches = kept_on_append
    assert len(latest) == 2 + 8  # supply.price of acme and globex, and the record's terms
    assert [row[:3] for row in latest if row[2] is not None] == [
        ("cloud.own_capacity", "microsoft-openai", 28)
    ]
    assert reaches == [
        ("acme", None, None),
        ("globex", 6, day("2025-03-01")),
        ("initech", 5, day("2025-01-01")),
        ("microsoft-openai", 36, day("2025-01-21")),
    ]
    assert tracker.check().problems == []
    engine.dispose()


def _tables(engine: sa.Engine) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        latest = sorted(tuple(r) for r in conn.execute(sa.select(term_latest_table)))
        reaches = sorted(tuple(r) for r in conn.execute(sa.select(reaches_table)))
    return latest, reaches


def test_terms_with_a_damaged_stored_reach_is_refused_in_one_line(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    with tracker.store.engine.begin() as conn:
        conn.execute(reaches_table.update().values(day=10**8))

    with pytest.raises(IntegrityError) as caught:
        tracker.terms(KEY, dt.date(2025, 4, 1), LATER)

    assert str(caught.value) == (
        "the stored reach of acme is damaged (its day is 100000000, no day); run tracker verify"
    )


def test_as_known_a_moment_ago_only_agreements_written_since_lose_their_stored_reach(
    tracker: Tracker,
) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    tracker.store.append("zeta", [created("zeta"), price("zeta", "p", 20, "2025-02-01")])
    moment = tracker.store.clock()  # a question asked now, while a writer goes on
    tracker.store.append("zeta", [price("zeta", "q", 21, "2025-03-01")])

    reaches = tracker.store.read_reaches(["acme", "zeta"], moment)
    then = tracker.terms(KEY, dt.date(2025, 4, 1), moment)

    assert reaches["acme"].stored is not None  # read from the stored reach
    assert reaches["acme"].stored.event == "acme-p"
    assert (reaches["zeta"].stored, [i for i, *_ in reaches["zeta"].latest]) == (None, ["zeta-p"])
    shown = [(e.agreement, e.term and e.term.value, e.coverage and e.coverage.event) for e in then]
    assert shown == [("acme", {"eur": 10}, "acme-p"), ("zeta", {"eur": 20}, "zeta-p")]
