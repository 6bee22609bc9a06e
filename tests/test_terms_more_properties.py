"""`terms` against looping `state` on logs the first property test draws rarely: creations on
imprecise dates, expiries on and around the day asked about, days before the agreement,
questions as known now, and agreements whose term is one term.set of any shape."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

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
from tracker.store import terms
from tracker.store.driver import Cursor

EXAMPLES = itertools.count()
dates = days | imprecise
expiries = days | st.sampled_from(["2025-01", "2025-02", "../2025-01-15", "../2025-02-10"])


def one_set(draw: st.DrawFn, key: str) -> dict[str, Any]:
    """A term.set of any shape: any date, any expiry or none, any fields."""
    expires = draw(st.none() | expiries)
    value = draw(st.dictionaries(st.sampled_from(["level", "scope", "cap"]),
                                 st.integers(0, 2) | st.none(), max_size=3))  # fmt: skip
    return {"type": "term.set", "term": key, "effective": draw(dates),
            "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
            "sources": [], "summary": "one", "value": value,
            **({"expires": expires} if expires else {})}  # fmt: skip


@PROPERTY
@given(data=st.data())
def test_terms_equals_looping_state_with_imprecise_creations_and_expiries(
    tracker: Tracker, data: st.DataObject
) -> None:
    example = next(EXAMPLES)
    keys = [f"m{example}.price", f"m{example}.volume"]
    agreements = [f"y{example}-{a}" for a in ("acme", "globex", "hooli", "initech")]
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
        kind = data.draw(st.sampled_from(["set", "set", "set", "other", "retract", "correct"]))
        if kind == "set" or len(mine) < 2:
            content = one_set(data.draw, key)
        elif kind == "other":
            proposals = [e.id for e in mine if e.type == "term.proposed"]
            content = fact(data.draw, keys, proposals)
        else:
            target = data.draw(st.sampled_from([e.id for e in mine]))
            kind = "event.retracted" if kind == "retract" else "event.corrected"
            content = {"type": kind, "target": target, "reason": "wrong",
                       "effective": data.draw(days)}  # fmt: skip
            if kind == "event.corrected" and target == mine[0].id:
                content["replacement"] = creation(agreement, data.draw(dates))
            elif kind == "event.corrected":
                content["replacement"] = one_set(data.draw, data.draw(st.sampled_from(keys)))
        try:
            new = event_from_dict({**identity, **content})
        except ValidationError:  # an expiry before the date, say: no such event
            continue
        append(tracker, [new], log)
        moments.append(tracker.store.clock())
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


def creation(agreement: str, effective: str) -> dict[str, Any]:
    return {"type": "agreement.created", "id": f"{agreement}-created", "agreement": agreement,
            "effective": effective, "title": "A deal",
            "parties": [{"name": "A", "role": "b"}]}  # fmt: skip


def created(agreement: str, effective: str) -> Event:
    return event_from_dict(creation(agreement, effective))
