"""`terms` against looping `state` on logs the first property test draws rarely: creations on
imprecise dates, expiries on and around the day asked about, days before the agreement,
questions as known now, and agreements whose term is one term.set of any shape."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.test_terms_properties import (
    DAY0,
    PROPERTY,
    answered,
    append,
    days,
    fact,
    imprecise,
    looping_state,
)
from tracker.core.events import Event, event_from_dict
from tracker.service import Tracker
from tracker.store import answers, terms
from tracker.store.driver import Cursor
from tracker.store.tables import term_latest_table

EXAMPLES = itertools.count()
dates = days | imprecise
expiries = days | st.sampled_from(["2025-01", "2025-02", "../2025-01-15", "../2025-02-10"])
# A week of days, so that events of one term often fall on one day, in either order.
week = st.integers(0, 6).map(lambda n: (DAY0 + dt.timedelta(days=n)).isoformat())


def one_set(draw: st.DrawFn, key: str, lasting: bool = False) -> dict[str, Any]:
    """A term.set of any shape: any date, any expiry or none, any fields; `lasting`, mostly
    of one day and without expiry, as the sets that answer a term alone are."""
    on = st.one_of(week, week, week, dates) if lasting else dates
    expires = draw(st.one_of(*[st.none()] * (4 if lasting else 1), expiries))
    value = draw(st.dictionaries(st.sampled_from(["level", "scope", "cap"]),
                                 st.integers(0, 2) | st.none(), max_size=3))  # fmt: skip
    return {"type": "term.set", "term": key, "effective": draw(on),
            "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
            "sources": [], "summary": "one", "value": value,
            **({"expires": expires} if expires else {})}  # fmt: skip


@PROPERTY
@given(data=st.data())
def test_terms_equals_looping_state_with_imprecise_creations_and_expiries(
    tracker: Tracker, data: st.DataObject
) -> None:
    keys, agreements, moments = portfolio(tracker, data, next(EXAMPLES))
    for _ in range(6):
        key = data.draw(st.sampled_from(keys))
        as_of = DAY0 + dt.timedelta(days=data.draw(st.integers(-3, 62)))
        known_at = data.draw(st.sampled_from(moments))

        answer = answered(tracker, key, as_of, known_at)

        moment = tracker.store.clock() if known_at is None else known_at
        assert answer == looping_state(tracker, agreements, key, as_of, moment)
    with tracker.store.engine.connect() as conn:
        checked = [terms.check(Cursor.of(conn), a) for a in agreements]
    assert checked == [[]] * len(agreements)


@PROPERTY
@given(data=st.data())
def test_terms_from_the_stored_answers_equals_terms_replayed(
    tracker: Tracker, data: st.DataObject
) -> None:
    keys, agreements, moments = portfolio(tracker, data, next(EXAMPLES), lasting=True)
    later = st.integers(-3, 62) | st.just(62)  # after every day drawn, half the time
    questions = [
        (data.draw(st.sampled_from(keys)), DAY0 + dt.timedelta(days=data.draw(later)),
         data.draw(st.just(None) | st.sampled_from(moments)))
        for _ in range(6)
    ]  # fmt: skip
    with tracker.store.engine.connect() as conn:
        checked = [answers.check(Cursor.of(conn), a, terms.logged(Cursor.of(conn), a))
                   for a in agreements]  # fmt: skip
    stored = [answered(tracker, key, as_of, known_at) for key, as_of, known_at in questions]

    with tracker.store.engine.begin() as conn:  # every term left to replay
        conn.execute(sa.update(term_latest_table).values(position=None, day=None))
    replayed = [answered(tracker, key, as_of, known_at) for key, as_of, known_at in questions]

    assert checked == [[]] * len(agreements)  # the answers kept on append are the log's
    assert stored == replayed


def portfolio(
    tracker: Tracker, data: st.DataObject, example: int, lasting: bool = False
) -> tuple[list[str], list[str], list[dt.datetime | None]]:
    """Random logs of four agreements and two terms, mostly term.sets of any shape (`lasting`:
    two agreements and one term, its sets mostly of one day and without expiry, its events
    often of one day): their term keys, the agreements, and the moments after each append
    (None: now)."""
    keys = [f"m{example}.price", f"m{example}.volume"][: 1 if lasting else 2]
    names = ("acme", "globex") if lasting else ("acme", "globex", "hooli", "initech")
    agreements = [f"y{example}-{a}" for a in names]
    log: list[Event] = []
    moments: list[dt.datetime | None] = [None]
    for agreement in agreements:
        when = data.draw(st.just("2025-01-01") | dates, label="created")
        append(tracker, [created(agreement, when)], log)
        moments.append(tracker.store.clock())
    for n in range(data.draw(st.integers(0, 14), label="events")):
        agreement = data.draw(st.sampled_from(agreements))
        key = data.draw(st.sampled_from(keys))
        mine = [e for e in log if e.agreement == agreement]
        identity = {"id": f"{agreement}-{n}", "agreement": agreement}
        # Lasting: fewer retractions and corrections, which leave a term to replay for good.
        many = ["set"] * 6 + ["other"] * 3 if lasting else ["set"] * 3
        kind = data.draw(st.sampled_from([*many, "other", "retract", "correct"]))
        if kind == "set" or len(mine) < 2:
            content = one_set(data.draw, key, lasting)
        elif kind == "other":
            proposals = [e.id for e in mine if e.type == "term.proposed"]
            content = fact(data.draw, keys, proposals, week | dates if lasting else dates)
        else:
            target = data.draw(st.sampled_from([e.id for e in mine]))
            kind = "event.retracted" if kind == "retract" else "event.corrected"
            content = {"type": kind, "target": target, "reason": "wrong",
                       "effective": data.draw(days)}  # fmt: skip
            if kind == "event.corrected" and target == mine[0].id:
                content["replacement"] = creation(agreement, data.draw(dates))
            elif kind == "event.corrected":
                content["replacement"] = one_set(
                    data.draw, data.draw(st.sampled_from(keys)), lasting
                )
        try:
            new = event_from_dict({**identity, **content})
        except ValidationError:  # an expiry before the date, say: no such event
            continue
        append(tracker, [new], log)
        moments.append(tracker.store.clock())
    return keys, agreements, moments


def creation(agreement: str, effective: str) -> dict[str, Any]:
    return {"type": "agreement.created", "id": f"{agreement}-created", "agreement": agreement,
            "effective": effective, "title": "A deal",
            "parties": [{"name": "A", "role": "b"}]}  # fmt: skip


def created(agreement: str, effective: str) -> Event:
    return event_from_dict(creation(agreement, effective))
