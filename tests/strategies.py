"""The random logs the property tests draw: one agreement's events, of every type, each fact
with random content, retractions and corrections of earlier events among them. A test takes
them as recorded events (`logs`), or as the events' data to append to a store
(`log_contents`), and may compose them with strategies of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tracker.core.events import Event, EventCorrected, EventRetracted, event_from_dict
from tracker.core.state import Recorded

AGREEMENT = "acme"
KEYS = ("cloud.exclusivity", "api.exclusivity", "revenue.share")
DAY0 = dt.date(2025, 1, 1)
DAYS = 8
T0 = dt.datetime(2025, 2, 1, 9, 0, 0, tzinfo=dt.UTC)
CORRECTIONS = (EventRetracted, EventCorrected)
FORMS = ("day",) * 6 + ("month", "month", "year", "before")

# Tests without a database are cheap: twice the examples of the loaded profile (120 in CI).
PURE = settings(
    max_examples=2 * settings.default.max_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

dates = st.integers(0, DAYS + 1).map(lambda n: DAY0 + dt.timedelta(days=n))
gaps = st.integers(0, 2)
Dates = st.SearchStrategy[dt.date] | st.SearchStrategy[str]


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@st.composite
def written(draw: st.DrawFn, within: int) -> str:
    """A date of the first `within` days from DAY0 in any of the four forms: a day, a month,
    a year, or on or before a day."""
    day = DAY0 + days(draw(st.integers(0, within)))
    form = draw(st.sampled_from(FORMS))
    if form == "month":
        return day.strftime("%Y-%m")
    if form == "year":
        return str(day.year)
    return day.isoformat() if form == "day" else f"../{day.isoformat()}"


def recorded(events: Sequence[Event], seconds: Sequence[int]) -> list[Recorded]:
    """Number the events from 1 and stamp them `seconds` apart (plus a microsecond each)."""
    records = []
    elapsed = 0
    for index, (event, gap) in enumerate(zip(events, seconds, strict=True)):
        elapsed += gap
        moment = T0 + dt.timedelta(seconds=elapsed, microseconds=index)
        records.append(Recorded(event, index + 1, index + 1, moment))
    return records


def appended(records: Sequence[Recorded], *events: Event) -> list[Recorded]:
    """The log with `events` appended, one second apart, after its last record."""
    last = records[-1]
    more = [
        Recorded(
            event, last.position + n, last.version + n, last.recorded_at + dt.timedelta(seconds=n)
        )
        for n, event in enumerate(events, start=1)
    ]
    return [*records, *more]


def event_of(**data: Any) -> Event:
    return event_from_dict({"agreement": AGREEMENT, **data})


def retraction(event_id: str, target: str, effective: dt.date = DAY0) -> Event:
    return event_of(
        id=event_id, type="event.retracted", effective=effective, target=target, reason="wrong"
    )


def creation() -> dict[str, Any]:
    return {
        "id": "created",
        "type": "agreement.created",
        "effective": DAY0,
        "title": "Acme supply deal",
        "parties": [{"name": "Acme", "role": "supplier"}, {"name": "Globex", "role": "buyer"}],
    }


def created_event() -> Event:
    return event_of(**creation())


def _expiry(draw: st.DrawFn, effective: dt.date | str) -> dt.date | str | None:
    """None, or a day on or after an exact date (an imprecise one's expiry is any date
    written in any form, which the store may refuse)."""
    if isinstance(effective, dt.date):
        return draw(st.none() | st.integers(0, 4).map(lambda n: effective + days(n)))
    return draw(st.none() | written(DAYS * 5))


@st.composite
def term_set_content(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, on: Dates = dates
) -> dict[str, Any]:
    effective = draw(on)
    return {
        "type": "term.set",
        "effective": effective,
        "term": draw(st.sampled_from(keys)),
        "summary": draw(st.sampled_from(["exclusive", "first refusal", "open"])),
        "value": {"level": draw(st.integers(0, 3))},
        "expires": _expiry(draw, effective),
        "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
        "sources": [{"source": draw(st.sampled_from(["ft", "wsj", "verge"]))}],
    }


@st.composite
def term_ended_content(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, on: Dates = dates
) -> dict[str, Any]:
    return {
        "type": "term.ended",
        "effective": draw(on),
        "term": draw(st.sampled_from(keys)),
        "reason": draw(st.sampled_from(["terminated", "waived", "superseded"])),
        "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
    }


@st.composite
def term_amended_content(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, on: Dates = dates
) -> dict[str, Any]:
    """A change of one field (None: the field removed)."""
    field = draw(st.sampled_from(["level", "note"]))
    return {
        "type": "term.amended",
        "effective": draw(on),
        "term": draw(st.sampled_from(keys)),
        "changes": {field: draw(st.none() | st.integers(0, 3))},
        "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
    }


@st.composite
def term_affirmed_content(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, on: Dates = dates
) -> dict[str, Any]:
    return {
        "type": "term.affirmed",
        "effective": draw(on),
        "term": draw(st.sampled_from(keys)),
        "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
    }


def note_content(on: Dates = dates) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda effective: {"type": "note.recorded", "effective": effective, "note": "context"},
        on,
    )


@st.composite
def term_proposed_content(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, on: Dates = dates
) -> dict[str, Any]:
    return {
        "type": "term.proposed",
        "effective": draw(on),
        "term": draw(st.sampled_from(keys)),
        "summary": "under consideration",
        "certainty": "rumored",
    }


def replacement_content(
    keys: Sequence[str] = KEYS, on: Dates = dates, changes: bool = False
) -> st.SearchStrategy[dict[str, Any]]:
    """What a correction may put in an event's place: a fact (with `changes`, an amendment
    or an affirmation too)."""
    facts = term_set_content(keys, on) | term_ended_content(keys, on) | note_content(on)
    if changes:
        facts |= term_amended_content(keys, on) | term_affirmed_content(keys, on)
    return facts


@st.composite
def log_contents(
    draw: st.DrawFn,
    keys: Sequence[str] = KEYS,
    corrections: bool = True,
    max_size: int = 14,
    on: Dates = dates,
    changes: bool = False,
) -> list[dict[str, Any]]:
    """The data of agreement.created, then of random facts (with `changes`, amendments and
    affirmations of terms too) and, with `corrections`, of retractions and corrections of
    earlier events, dated by `on`."""
    events = [creation()]
    for n in range(1, draw(st.integers(1, max_size)) + 1):
        kinds = ["term.set", "term.set", "term.ended", "term.proposed", "note.recorded"]
        if changes:
            kinds += ["term.amended", "term.affirmed"]
        proposals = [e for e in events if e["type"] == "term.proposed"]
        if proposals:
            kinds.append("proposal.resolved")
        if corrections:
            kinds += ["event.retracted", "event.corrected"]
        kind = draw(st.sampled_from(kinds))
        events.append({"id": f"e{n}", **draw(_content(kind, events, keys, on, changes))})
    return events


@st.composite
def _content(
    draw: st.DrawFn,
    kind: str,
    events: list[dict[str, Any]],
    keys: Sequence[str],
    on: Dates,
    changes: bool,
) -> dict[str, Any]:
    """The data of one event of `kind` after `events`."""
    facts = {
        "term.set": term_set_content,
        "term.ended": term_ended_content,
        "term.proposed": term_proposed_content,
        "term.amended": term_amended_content,
        "term.affirmed": term_affirmed_content,
    }
    if kind in facts:
        return draw(facts[kind](keys, on))
    if kind == "note.recorded":
        return draw(note_content(on))
    if kind == "proposal.resolved":
        proposal = draw(st.sampled_from([e for e in events if e["type"] == "term.proposed"]))
        first = event_of(**proposal).effective.first
        soon_after = first + days(draw(st.integers(0, 2)))
        return {
            "type": "proposal.resolved",
            "effective": draw(st.just(soon_after) | on),
            "proposal": proposal["id"],
            "resolution": draw(st.sampled_from(["adopted", "rejected", "withdrawn"])),
        }
    if kind == "event.retracted":
        target = draw(st.sampled_from([e["id"] for e in events]))
        return {"type": kind, "effective": draw(on), "target": target, "reason": "wrong"}
    correctable = [e["id"] for e in events if e["type"] != "event.retracted"]
    return {
        "type": "event.corrected",
        "effective": draw(on),
        "target": draw(st.sampled_from(correctable)),
        "reason": "mistyped",
        "replacement": draw(replacement_content(keys, on, changes)),
    }


@st.composite
def logs(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, corrections: bool = True, max_size: int = 14
) -> list[Recorded]:
    """The events of `log_contents`, recorded at increasing times a few seconds apart."""
    events = [event_of(**data) for data in draw(log_contents(keys, corrections, max_size))]
    return recorded(events, draw(st.lists(gaps, min_size=len(events), max_size=len(events))))
