"""Property: folding a log as it is read (its corrections first, then its facts by their first
day, as the store streams them) gives the state the whole log held in memory gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import msgspec
from hypothesis import given
from hypothesis import strategies as st
from msgspec.structs import replace

from tests.strategies import (
    AGREEMENT,
    CORRECTIONS,
    KEYS,
    PURE,
    T0,
    created_event,
    dates,
    logs,
    recorded,
    retraction,
    term_set_content,
)
from tracker.core.dates import When
from tracker.core.events import Event, EventCorrected, Fact, event_from_dict
from tracker.core.projector import project, replay
from tracker.core.state import AgreementState, Recorded
from tracker.store import codec

FORMS = ("day", "day", "day", "month", "year", "before")
as_ofs = dates | st.just(dt.date(2025, 12, 31))


def _dated(record: Recorded, form: str) -> Recorded:
    """The record with its event's date written in another form around the same day."""
    event = record.event
    if isinstance(event, CORRECTIONS) or form == "day":
        return record
    day = event.effective.first
    text = {"month": f"{day:%Y-%m}", "year": str(day.year), "before": f"../{day.isoformat()}"}
    return replace(record, event=msgspec.structs.replace(event, effective=When.parse(text[form])))


def _streamed(records: list[Recorded], as_of: dt.date, known_at: dt.datetime) -> tuple[
    list[Recorded], list[Recorded], list[Recorded]
]:  # fmt: skip
    """The parts the store reads for a replay (see tracker.store.log.Replay)."""
    kept = [r for r in records if r.recorded_at <= known_at]
    corrections = [r for r in kept if isinstance(r.event, CORRECTIONS)]
    targets = {r.event.target for r in corrections if isinstance(r.event, EventCorrected)}
    corrected = [r for r in kept if r.event.id in targets]
    facts = [
        r for r in kept if not isinstance(r.event, CORRECTIONS) and r.event.effective.first <= as_of
    ]
    facts.sort(key=lambda r: (r.event.effective.first, r.position))
    return corrections, corrected, facts


@PURE
@given(
    records=logs(),
    forms=st.lists(st.sampled_from(FORMS), min_size=15, max_size=15),
    as_of=as_ofs,
    cut=st.integers(0, 15),
    size=st.integers(1, 15),
)
def test_folding_the_log_as_it_is_read_gives_the_state_of_the_whole_log(
    records: list[Recorded], forms: list[str], as_of: dt.date, cut: int, size: int
) -> None:
    records = [_dated(r, form) for r, form in zip(records, forms, strict=False)]
    known_at = records[min(cut, len(records) - 1)].recorded_at
    corrections, corrected, facts = _streamed(records, as_of, known_at)

    streamed = replay(AGREEMENT, corrections, corrected, _pairs(facts), as_of, known_at)

    assert streamed == project(AGREEMENT, records, as_of, known_at)
    assert _replayed_from_rows(records, as_of, known_at, size) == streamed


def _replayed_from_rows(
    records: list[Recorded], as_of: dt.date, known_at: dt.datetime, size: int
) -> AgreementState:
    """The state a replay folds from the log's facts stored as rows and read back in chunks
    of `size`, as the store does: replaced term.sets left undecoded when no retraction or
    correction is in the read."""
    corrections, corrected, facts = _streamed(records, as_of, known_at)
    rows = [(codec.encode(r.event), r.event.type, codec.SCHEMA_VERSION, r.position) for r in facts]
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
    read = codec.stored_facts(chunks, skip_replaced=not corrections)
    return replay(AGREEMENT, corrections, corrected, read, as_of, known_at)


@st.composite
def term_sets(draw: st.DrawFn) -> list[Recorded]:
    """A creation, term.sets of one or two terms in any date form, and sometimes a
    retraction or two of them: the logs in which later term.sets replace earlier ones."""
    keys = KEYS[: draw(st.integers(1, 2))]
    events: list[Event] = [created_event()]
    for n in range(1, draw(st.integers(2, 12)) + 1):
        event = event_from_dict({"agreement": AGREEMENT, "id": f"e{n}",
                                 **draw(term_set_content(keys))})  # fmt: skip
        events.append(msgspec.structs.replace(event, effective=draw(_forms(event.effective.first))))
    for n in range(draw(st.integers(0, 2))):
        target = draw(st.sampled_from([e.id for e in reversed(events[1:])]))  # latest first
        events.append(retraction(f"r{n}", target, draw(dates)))
    return recorded(events, [1] * len(events))


def _forms(day: dt.date) -> st.SearchStrategy[When]:
    texts = [day.isoformat()] * 3 + [f"{day:%Y-%m}", str(day.year), f"../{day}"]
    return st.sampled_from(texts).map(When.parse)


@PURE
@given(records=term_sets(), as_of=as_ofs, size=st.integers(1, 15))
def test_term_sets_replaced_in_their_chunk_and_left_undecoded_change_no_state(
    records: list[Recorded], as_of: dt.date, size: int
) -> None:
    known_at = records[-1].recorded_at
    whole = project(AGREEMENT, records, as_of, known_at)

    streamed = _replayed_from_rows(records, as_of, known_at, size)

    assert streamed == whole
    # The terms come by key, whatever was skipped.
    assert list(streamed.terms) == list(whole.terms) == sorted(whole.terms)


def test_an_imprecise_fact_read_before_an_exact_one_is_folded_after_it() -> None:
    # By first day, the month comes first; in time it had surely happened only by its end.
    created = Recorded(created_event(), 1, 1, T0)  # on 2025-01-01
    month = _fact(created, "m", "2025-01", position=2, level=1)
    day = _fact(created, "d", "2025-01-20", position=3, level=2)

    state = replay(AGREEMENT, [], [], _pairs([created, month, day]), dt.date(2025, 2, 1), None)

    assert dict(state.terms["cloud.exclusivity"].value) == {"level": 1}
    assert state.terms["cloud.exclusivity"].events == ("m",)


def _pairs(records: list[Recorded]) -> Iterator[tuple[Fact, int]]:
    """Facts as the store streams them: each with its position."""
    return ((r.event, r.position) for r in records if not isinstance(r.event, CORRECTIONS))


def _fact(created: Recorded, id_: str, effective: str, position: int, level: int) -> Recorded:
    event = event_from_dict(
        {"agreement": AGREEMENT, "id": id_, "type": "term.set", "effective": effective,
         "term": "cloud.exclusivity", "summary": "s", "value": {"level": level}}
    )  # fmt: skip
    return Recorded(event, position, position, created.recorded_at)
