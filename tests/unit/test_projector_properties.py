"""Property tests of the projector's laws: generated logs of one agreement, no database."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tracker.core.dates import When
from tracker.core.events import Event, EventCorrected, EventRetracted, TermSet, event_from_dict
from tracker.core.projector import known, project, resolve
from tracker.core.state import EndedTerm, FieldState, Recorded, TermState

AGREEMENT = "acme"
KEYS = ("cloud.exclusivity", "api.exclusivity", "revenue.share")
DAY0 = dt.date(2025, 1, 1)
DAYS = 8
T0 = dt.datetime(2025, 2, 1, 9, 0, 0, tzinfo=dt.UTC)
CORRECTIONS = (EventRetracted, EventCorrected)

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

dates = st.integers(0, DAYS + 1).map(lambda n: DAY0 + dt.timedelta(days=n))
gaps = st.integers(0, 2)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _recorded(events: Sequence[Event], seconds: Sequence[int]) -> list[Recorded]:
    """Number the events from 1 and stamp them `seconds` apart (plus a microsecond each)."""
    records = []
    elapsed = 0
    for index, (event, gap) in enumerate(zip(events, seconds, strict=True)):
        elapsed += gap
        moment = T0 + dt.timedelta(seconds=elapsed, microseconds=index)
        records.append(Recorded(event, index + 1, index + 1, moment))
    return records


def _append(records: Sequence[Recorded], *events: Event) -> list[Recorded]:
    """The log with `events` appended, one second apart, after its last record."""
    last = records[-1]
    appended = [
        Recorded(
            event, last.position + n, last.version + n, last.recorded_at + dt.timedelta(seconds=n)
        )
        for n, event in enumerate(events, start=1)
    ]
    return [*records, *appended]


def _event(**data: Any) -> Event:
    return event_from_dict({"agreement": AGREEMENT, **data})


def _retraction(event_id: str, target: str, effective: dt.date = DAY0) -> Event:
    return _event(
        id=event_id, type="event.retracted", effective=effective, target=target, reason="wrong"
    )


def _created() -> Event:
    return _event(
        id="created",
        type="agreement.created",
        effective=DAY0,
        title="Acme supply deal",
        parties=[{"name": "Acme", "role": "supplier"}, {"name": "Globex", "role": "buyer"}],
    )


@st.composite
def term_set_content(draw: st.DrawFn, keys: Sequence[str] = KEYS) -> dict[str, Any]:
    effective = draw(dates)
    return {
        "type": "term.set",
        "effective": effective,
        "term": draw(st.sampled_from(keys)),
        "summary": draw(st.sampled_from(["exclusive", "first refusal", "open"])),
        "value": {"level": draw(st.integers(0, 3))},
        "expires": draw(st.none() | st.integers(0, 4).map(lambda n: effective + _days(n))),
        "certainty": draw(st.sampled_from(["confirmed", "reported", "rumored"])),
        "sources": [{"source": draw(st.sampled_from(["ft", "wsj", "verge"]))}],
    }


@st.composite
def term_ended_content(draw: st.DrawFn, keys: Sequence[str] = KEYS) -> dict[str, Any]:
    return {
        "type": "term.ended",
        "effective": draw(dates),
        "term": draw(st.sampled_from(keys)),
        "reason": draw(st.sampled_from(["terminated", "waived", "superseded"])),
    }


def note_content() -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda effective: {"type": "note.recorded", "effective": effective, "note": "context"},
        dates,
    )


def replacement_content(keys: Sequence[str] = KEYS) -> st.SearchStrategy[dict[str, Any]]:
    return term_set_content(keys) | term_ended_content(keys) | note_content()


@st.composite
def term_proposed_content(draw: st.DrawFn, keys: Sequence[str] = KEYS) -> dict[str, Any]:
    return {
        "type": "term.proposed",
        "effective": draw(dates),
        "term": draw(st.sampled_from(keys)),
        "summary": "under consideration",
        "certainty": "rumored",
    }


@st.composite
def logs(
    draw: st.DrawFn, keys: Sequence[str] = KEYS, corrections: bool = True, max_size: int = 14
) -> list[Recorded]:
    """agreement.created, then random facts (and, with `corrections`, retractions and
    corrections of earlier events), recorded at increasing times a few seconds apart."""
    events = [_created()]
    for n in range(1, draw(st.integers(1, max_size)) + 1):
        kinds = ["term.set", "term.set", "term.ended", "term.proposed", "note.recorded"]
        proposals = [e for e in events if e.type == "term.proposed"]
        correctable = [e.id for e in events if not isinstance(e, EventRetracted)]
        if proposals:
            kinds.append("proposal.resolved")
        if corrections:
            kinds += ["event.retracted", "event.corrected"]
        kind = draw(st.sampled_from(kinds))
        event_id = f"e{n}"
        if kind == "term.set":
            event = _event(id=event_id, **draw(term_set_content(keys)))
        elif kind == "term.ended":
            event = _event(id=event_id, **draw(term_ended_content(keys)))
        elif kind == "term.proposed":
            event = _event(id=event_id, **draw(term_proposed_content(keys)))
        elif kind == "note.recorded":
            event = _event(id=event_id, **draw(note_content()))
        elif kind == "proposal.resolved":
            proposal = draw(st.sampled_from(proposals))
            soon_after = proposal.effective.first + _days(draw(st.integers(0, 2)))
            event = _event(
                id=event_id,
                type="proposal.resolved",
                effective=draw(st.just(soon_after) | dates),
                proposal=proposal.id,
                resolution=draw(st.sampled_from(["adopted", "rejected", "withdrawn"])),
            )
        elif kind == "event.retracted":
            target = draw(st.sampled_from([e.id for e in events]))
            event = _retraction(event_id, target, draw(dates))
        else:
            event = _event(
                id=event_id,
                type="event.corrected",
                effective=draw(dates),
                target=draw(st.sampled_from(correctable)),
                reason="mistyped",
                replacement=draw(replacement_content(keys)),
            )
        events.append(event)
    return _recorded(events, draw(st.lists(gaps, min_size=len(events), max_size=len(events))))


def _keep_same_day_order(original: Sequence[Event], shuffled: Sequence[Event]) -> list[Event]:
    """`shuffled`, with the events of each effective date put back in their original order."""
    by_day: dict[dt.date, deque[Event]] = defaultdict(deque)
    for event in original:
        by_day[event.effective.first].append(event)
    return [by_day[event.effective.first].popleft() for event in shuffled]


def _store_read_until(records: Sequence[Recorded], until: dt.date) -> list[Recorded]:
    """What a read of the log up to `until` keeps: the facts effective by then, every
    retraction and correction, and every corrected event."""
    corrected = {r.event.target for r in records if isinstance(r.event, EventCorrected)}
    return [
        r
        for r in records
        if r.event.effective.first <= until
        or isinstance(r.event, CORRECTIONS)
        or r.event.id in corrected
    ]


@PROPERTY
@given(records=logs())
def test_the_facts_that_count_come_by_the_day_they_surely_came_then_in_log_order(
    records: list[Recorded],
) -> None:
    resolved = resolve(known(records, None))

    order = [(a.fact.effective.last, a.fact.effective.first, a.position) for a in resolved.facts]
    assert order == sorted(order)


@PROPERTY
@given(records=logs(), as_of=dates, cutoff=st.integers(-1, 30))
def test_projecting_the_same_log_twice_gives_equal_states(
    records: list[Recorded], as_of: dt.date, cutoff: int
) -> None:
    known_at = T0 + dt.timedelta(seconds=cutoff)

    first = project(AGREEMENT, records, as_of, known_at)
    second = project(AGREEMENT, records, as_of, known_at)

    assert first == second


@PROPERTY
@given(records=logs(), as_of=dates)
def test_the_order_records_are_handed_over_in_does_not_matter(
    records: list[Recorded], as_of: dt.date
) -> None:
    in_log_order = project(AGREEMENT, records, as_of)

    reversed_order = project(AGREEMENT, reversed(records), as_of)

    assert reversed_order == in_log_order


@PROPERTY
@given(records=logs(corrections=False), as_of=dates)
def test_the_facts_effective_by_a_date_give_the_whole_logs_state_on_that_date(
    records: list[Recorded], as_of: dt.date
) -> None:
    prefix = [r for r in records if r.event.effective.first <= as_of]

    from_prefix = project(AGREEMENT, prefix, as_of)

    assert from_prefix == project(AGREEMENT, records, as_of)


@PROPERTY
@given(records=logs(), as_of=dates)
def test_facts_effective_by_a_date_with_every_correction_give_the_whole_logs_state(
    records: list[Recorded], as_of: dt.date
) -> None:
    prefix = _store_read_until(records, as_of)

    from_prefix = project(AGREEMENT, prefix, as_of)

    assert from_prefix == project(AGREEMENT, records, as_of)


@PROPERTY
@given(records=logs(corrections=False), as_of=dates, data=st.data())
def test_appending_the_same_facts_in_another_order_gives_the_same_state(
    records: list[Recorded], as_of: dt.date, data: st.DataObject
) -> None:
    events = [r.event for r in records]
    shuffled = _keep_same_day_order(events, data.draw(st.permutations(events)))
    reordered = _recorded(shuffled, [1] * len(shuffled))

    from_reordered = project(AGREEMENT, reordered, as_of)

    assert from_reordered == project(AGREEMENT, records, as_of)


@PROPERTY
@given(records=logs(), as_of=dates, data=st.data())
def test_state_known_at_a_moment_is_the_state_of_the_records_recorded_by_then(
    records: list[Recorded], as_of: dt.date, data: st.DataObject
) -> None:
    last = int((records[-1].recorded_at - T0).total_seconds())
    whole_seconds = [T0 + dt.timedelta(seconds=s) for s in range(-1, last + 2)]
    known_at = data.draw(st.sampled_from(whole_seconds + [r.recorded_at for r in records]))
    recorded_by_then = [r for r in records if r.recorded_at <= known_at]

    known_then = project(AGREEMENT, records, as_of, known_at)

    assert known_then == replace(project(AGREEMENT, recorded_by_then, as_of), known_at=known_at)


@PROPERTY
@given(records=logs(), as_of=dates, data=st.data())
def test_retracting_a_retraction_restores_its_target(
    records: list[Recorded], as_of: dt.date, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from([r.event.id for r in records]))
    retract = _retraction("undo-1", target, data.draw(dates))
    restore = _retraction("undo-2", "undo-1", data.draw(dates))

    with_both = project(AGREEMENT, _append(records, retract, restore), as_of)

    without = project(AGREEMENT, records, as_of)
    assert with_both == replace(without, retracted={**without.retracted, "undo-1": "undo-2"})


@PROPERTY
@given(records=logs(), as_of=dates, data=st.data())
def test_a_retracted_term_set_counts_as_if_it_had_never_been_recorded(
    records: list[Recorded], as_of: dt.date, data: st.DataObject
) -> None:
    corrected = {r.event.target for r in records if isinstance(r.event, EventCorrected)}
    candidates = [
        r.event.id for r in records if isinstance(r.event, TermSet) and r.event.id not in corrected
    ]
    assume(candidates)
    target = data.draw(st.sampled_from(candidates))
    without_target = [r for r in records if r.event.id != target]

    retracted = project(AGREEMENT, _append(records, _retraction("undo", target)), as_of)

    without = project(AGREEMENT, without_target, as_of)
    assert retracted == replace(without, retracted={**without.retracted, target: "undo"})


@st.composite
def expiring_terms(draw: st.DrawFn) -> tuple[TermSet, dt.date]:
    """A term.set of `ip.rights` (a key the background logs never use) with an expiry."""
    content = draw(term_set_content(keys=("ip.rights",)))
    expires = content["effective"] + _days(draw(st.integers(0, 4)))
    event = _event(id="expiring", **{**content, "expires": expires})
    assert isinstance(event, TermSet)
    return event, expires


@PROPERTY
@given(records=logs(), expiring=expiring_terms())
def test_a_term_is_in_force_on_its_expiry_date_and_expired_the_day_after(
    records: list[Recorded], expiring: tuple[TermSet, dt.date]
) -> None:
    term, expires = expiring
    log = _append(records, term)
    term_sources = tuple(dict.fromkeys(c.source for c in term.sources if c.stance == "supports"))
    in_force = TermState(
        summary=term.summary,
        value=term.value,
        since=term.effective,
        expires=When.day(expires),
        ends_when=None,
        certainty=term.certainty,
        events=("expiring",),
        sources=tuple(c.source for c in term.sources),
        citations=term.sources,
        fields={
            k: FieldState(v, term.effective, term.certainty, ("expiring",), term_sources)
            for k, v in term.value.items()
        },
    )
    expired = EndedTerm(
        term.summary, When.day(expires + _days(1)), "expired", ("expiring",), term.certainty
    )
    before_on_expiry = project(AGREEMENT, records, expires)
    before_day_after = project(AGREEMENT, records, expires + _days(1))

    on_expiry = project(AGREEMENT, log, expires)
    day_after = project(AGREEMENT, log, expires + _days(1))

    assert on_expiry == replace(
        before_on_expiry, terms={**before_on_expiry.terms, "ip.rights": in_force}
    )
    assert day_after == replace(
        before_day_after, ended={**before_day_after.ended, "ip.rights": expired}
    )


@PROPERTY
@given(records=logs(), expiring=expiring_terms(), data=st.data())
def test_a_term_replaced_before_its_expiry_does_not_expire(
    records: list[Recorded], expiring: tuple[TermSet, dt.date], data: st.DataObject
) -> None:
    term, expires = expiring
    start = term.effective.first
    replaced_on = start + _days(data.draw(st.integers(0, (expires - start).days)))
    replacement = _event(
        id="replacing", type="term.set", effective=replaced_on, term="ip.rights", summary="kept"
    )
    after = expires + _days(data.draw(st.integers(1, 5)))
    background = project(AGREEMENT, records, after)

    state = project(AGREEMENT, _append(records, term, replacement), after)

    in_force = TermState(
        "kept", {}, When.day(replaced_on), None, None, "confirmed", ("replacing",), ()
    )
    assert state == replace(background, terms={**background.terms, "ip.rights": in_force})


@PROPERTY
@given(records=logs(), first=replacement_content(), second=replacement_content(), as_of=dates)
def test_correcting_a_correction_is_correcting_the_original_event(
    records: list[Recorded],
    first: dict[str, Any],
    second: dict[str, Any],
    as_of: dt.date,
) -> None:
    original = _event(id="original", type="term.set", effective=DAY0, term=KEYS[0], summary="x")
    fix = {"type": "event.corrected", "effective": DAY0, "reason": "mistyped"}
    correction = _event(id="fix-1", target="original", replacement=first, **fix)
    via_correction = _event(id="fix-2", target="fix-1", replacement=second, **fix)
    direct = _event(id="fix-2", target="original", replacement=second, **fix)

    chained = project(AGREEMENT, _append(records, original, correction, via_correction), as_of)

    assert chained == project(AGREEMENT, _append(records, original, correction, direct), as_of)
