"""Stored payloads are read back by msgspec straight into the event classes, without the
edges' pydantic models; they read what those models validate, and `verify` (which validates)
catches what the read leaves alone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import PURE, logs
from tests.unit.test_event_types import COMMON, EXAMPLES
from tracker.core.events import CORRECTIONS, EventCorrected, TermSet, event_from_dict
from tracker.core.state import Recorded
from tracker.errors import IntegrityError
from tracker.files.agreement import load
from tracker.store import codec
from tracker.store.driver import stored_moment, written_moment

RECORD = Path(__file__).resolve().parents[2] / "events" / "microsoft-openai.yaml"
AT = "2025-01-02 03:04:05.000006"


def row(record: Recorded) -> codec.LogRow:
    event = record.event
    payload = codec.encode(event)
    return (payload, event.type, codec.SCHEMA_VERSION, record.position, record.version, AT)


def test_a_stored_term_set_reads_back_without_its_checks_which_verify_runs() -> None:
    payload = (
        '{"type":"term.set","id":"a","agreement":"acme","effective":"2025-06-01",'
        '"term":"a.b","summary":"s","expires":"2025-01-01"}'
    )

    read = codec.decode(payload, "term.set", codec.SCHEMA_VERSION, verify=False)

    assert isinstance(read, TermSet)
    assert (str(read.effective), str(read.expires)) == ("2025-06-01", "2025-01-01")
    with pytest.raises(codec.UndecodableError) as caught:
        codec.decode(payload, "term.set", codec.SCHEMA_VERSION)
    assert str(caught.value) == (
        "payload does not decode: expires 2025-01-01 is before effective 2025-06-01"
    )


def test_a_correction_read_back_still_gives_its_replacement_its_targets_identity() -> None:
    payload = (
        '{"type":"event.corrected","id":"c","agreement":"acme","effective":"2025-06-01",'
        '"target":"a","reason":"r","replacement":{"type":"term.set","effective":"2025-06-01",'
        '"term":"a.b","summary":"s"}}'
    )

    read = codec.decode(payload, "event.corrected", codec.SCHEMA_VERSION, verify=False)

    assert isinstance(read, EventCorrected)
    assert (read.replacement.id, read.replacement.agreement) == ("a", "acme")


def test_every_event_of_the_shipped_record_reads_back_as_the_model_reads_it() -> None:
    events = load(RECORD).events
    records = [Recorded(e, n, n, dt.datetime(2025, 1, 2)) for n, e in enumerate(events, 1)]

    read = codec.stored_records(row(r) for r in records)

    assert [r.event for r in read] == list(events)
    assert [r.event for r in read] == [
        codec.decode(codec.encode(e), e.type, codec.SCHEMA_VERSION) for e in events
    ]
    assert sorted({r.event.type for r in read}) == [
        "agreement.created", "note.recorded", "term.affirmed", "term.amended", "term.proposed",
        "term.set",
    ]  # fmt: skip
    assert {r.recorded_at for r in read} == {dt.datetime(2025, 1, 2, 3, 4, 5, 6)}


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**29), 10**29)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@PURE
@given(
    records=logs(),
    value=st.dictionaries(st.text(min_size=1, max_size=6), JSON_VALUES, max_size=4),
    words=st.text(min_size=1, max_size=20),
)
def test_what_a_read_decodes_is_what_the_edges_models_validate(
    records: list[Recorded], value: dict[str, Any], words: str
) -> None:
    more = [
        event_from_dict({"type": "term.set", "id": "x1", "agreement": "acme",
                         "effective": "2025-01", "term": "a.b", "summary": words, "value": value,
                         "note": words, "sources": [{"source": "s-1", "quote": words}]}),
        event_from_dict({"type": "event.corrected", "id": "x2", "agreement": "acme",
                         "effective": "2025-01-02", "target": "x1", "reason": words,
                         "replacement": {"type": "term.proposed", "effective": "../2025-02-01",
                                         "term": "a.b", "summary": words, "value": value}}),
    ]  # fmt: skip
    for event in [*(r.event for r in records), *more]:
        payload = codec.encode(event)

        read = codec.decode(payload, event.type, codec.SCHEMA_VERSION, verify=False)
        validated = codec.decode(payload, event.type, codec.SCHEMA_VERSION)

        assert read == validated == event


@PURE
@given(records=logs())
def test_random_events_read_back_as_the_models_read_them(records: list[Recorded]) -> None:
    read = codec.stored_records(row(r) for r in records)

    assert [r.event for r in read] == [r.event for r in records]
    assert [(r.position, r.version) for r in read] == [(r.position, r.version) for r in records]


@PURE
@given(records=logs(), size=st.integers(1, 4))
def test_random_facts_streamed_in_chunks_read_back_as_the_models_read_them(
    records: list[Recorded], size: int
) -> None:
    rows = [row(r)[:4] for r in records]
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)]

    read = list(codec.stored_facts(chunks))

    facts = [r for r in records if not isinstance(r.event, CORRECTIONS)]  # not facts: left out
    assert read == [(r.event, r.position) for r in facts]


def test_a_stored_payload_that_breaks_a_constraint_is_still_refused_in_one_line() -> None:
    payload = (
        '{"id":"a","agreement":"acme","effective":"2025-01-01","type":"term.set",'
        '"term":"Not A Key","summary":"s"}'
    )

    with pytest.raises(IntegrityError) as caught:
        codec.stored_records([(payload, "term.set", codec.SCHEMA_VERSION, 7, 2, AT)])

    assert str(caught.value) == (
        "the stored event at position 7 is damaged (payload does not decode: field term: "
        "'Not A Key' is not valid: a term key is lower-case words joined by dots, e.g. "
        "cloud.exclusivity); run tracker verify"
    )


def test_a_damaged_row_streamed_is_refused_in_one_line_naming_its_position() -> None:
    payload = '{"id":"a","agreement":"acme","effective":"2025-13-01","type":"term.set"}'

    with pytest.raises(IntegrityError) as caught:
        list(codec.stored_facts([[(payload, "term.set", codec.SCHEMA_VERSION, 9)]]))

    assert str(caught.value).startswith(
        "the stored event at position 9 is damaged (payload does not decode: "
    )
    assert "\n" not in str(caught.value)


def _set_row(position: int, term: str, effective: str, **more: Any) -> codec.FactRow:
    fields = {"id": f"e{position}", "agreement": "acme", "effective": effective, "term": term,
              "summary": "s", **more}  # fmt: skip
    return (codec.encode(TermSet(**fields)), "term.set", codec.SCHEMA_VERSION, position)


def test_a_term_set_a_later_exact_one_of_its_term_replaces_is_not_decoded() -> None:
    damaged = (
        '{"type":"term.set","id":"e1","agreement":"acme","effective":"2025-01-01",'
        '"term":"a.b","summary":"s","value":"not a mapping"}'
    )
    rows = [(damaged, "term.set", codec.SCHEMA_VERSION, 1), _set_row(2, "c.d", "2025-01-01"),
            _set_row(3, "a.b", "2025-01-02")]  # fmt: skip

    read = list(codec.stored_facts([rows], skip_replaced=True))

    assert [position for _, position in read] == [2, 3]
    with pytest.raises(IntegrityError):  # read, the damaged row is refused
        list(codec.stored_facts([rows]))


def test_only_exact_term_sets_of_the_same_term_in_the_chunk_replace_one() -> None:
    rows = [
        _set_row(1, "a.b", "2025-01-01"),
        _set_row(2, "a.b", "2025-01"),  # a month: its last day may come after the next one
        _set_row(3, "a.b", "2025-01-02"),
        _set_row(4, "a.bc", "2025-01-02"),  # another term
        _set_row(5, "x.y", "2025", value={"effective": "2025-06-01", "term": "a.b"}),
        _set_row(6, "x.y", "2025-02-01", note='"term":"a.b","effective":"2025-03-01"'),
        _set_row(7, "x.y", "../2025-03-01"),
        # no such day: decoded (and refused), so it replaces nothing
        (_set_row(8, "a.b", "2025-02-03")[0].replace("2025-02-03", "2025-02-30"), "term.set",
         codec.SCHEMA_VERSION, 8),
    ]  # fmt: skip

    assert codec.replaced(rows) == {1}
    assert codec.replaced(rows[:1]) == set()


# One valid example of each correction (the facts' are test_event_types').
CORRECTION_EXAMPLES = {
    "event.retracted": {"target": "e0", "reason": "wrong"},
    "event.corrected": {"target": "e0", "reason": "wrong",
                        "replacement": {"type": "note.recorded", "effective": "2024-01-01",
                                        "note": "right"}},
}  # fmt: skip
FULL = {"announced": "2025-01-02", "certainty": "reported", "note": "n",
        "sources": [{"source": "ft", "stance": "supports", "quote": '"term":"x.y"'}]}  # fmt: skip


@pytest.mark.parametrize("event_type", codec.EVENT_TYPES)
def test_every_stored_payload_names_its_type_first_and_its_own_date_before_any_object(
    event_type: str,
) -> None:
    example = EXAMPLES[event_type] if event_type in EXAMPLES else CORRECTION_EXAMPLES[event_type]
    fields = {**COMMON, "type": event_type, **example}
    payload = codec.encode(event_from_dict({**fields, **FULL}))

    keys = list(json.loads(payload))

    assert keys[:4] == ["type", "id", "agreement", "effective"]
    assert codec._field(payload, '"effective":"') == "2025-01-01"


def test_a_stored_term_set_names_its_term_before_its_value_which_may_hold_any_key() -> None:
    value = {"term": "a.b", "effective": "2030-01-01"}
    payload = codec.encode(event_from_dict({**COMMON, "type": "term.set", **FULL,
        "term": "supply.volume", "summary": "s", "value": value, "expires": "2026",
        "ends_when": "w"}))  # fmt: skip

    keys = list(json.loads(payload))

    # `replaced` reads a term.set's term and date by the first occurrence of their keys
    # (`_field`): only `value` may hold objects with keys of any name, and it comes after both.
    assert keys == ["type", "id", "agreement", "effective", "announced", "certainty", "sources",
                    "note", "term", "summary", "value", "expires", "ends_when"]  # fmt: skip
    assert codec._field(payload, '"term":"') == "supply.volume"
    assert codec._field(payload, '"effective":"') == "2025-01-01"


MOMENT_SHAPE = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}"
moment_texts = (
    st.datetimes().map(stored_moment)
    | st.from_regex(MOMENT_SHAPE, fullmatch=True)  # days and times that may not exist
    | st.tuples(st.datetimes(), st.sampled_from("T ,")).map(lambda d: d[0].isoformat(d[1]))
    | st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.isoformat(" ", "microseconds"))
    | st.datetimes().map(lambda d: f"{stored_moment(d)}\n")
    | st.text(alphabet="0123456789-: .T,+Z\n\u0663", max_size=30)
)


@given(moment_texts)
def test_a_stored_moment_reads_back_exactly_when_its_value_is_stored_as_its_text(
    text: str,
) -> None:
    try:
        parsed: dt.datetime | None = dt.datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    stored = parsed is not None and parsed.tzinfo is None and stored_moment(parsed) == text
    try:
        found: dt.datetime | None = written_moment(text)
    except ValueError:
        found = None

    assert found == (parsed if stored else None)
