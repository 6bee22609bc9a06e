"""Stored payloads are read back with validators derived from the event models, without the
validators that leave a valid stored value as it is; they read what the models read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import PURE, logs
from tracker.core.events import AMENDMENTS, EventCorrected, TermSet
from tracker.core.state import Recorded
from tracker.errors import IntegrityError
from tracker.files.agreement import load
from tracker.store import codec

RECORD = Path(__file__).resolve().parents[2] / "events" / "microsoft-openai.yaml"
AT = "2025-01-02 03:04:05.000006"


def functions(schema: Any) -> list[str]:
    """The names of the Python validators (before, after) a core schema calls, in order."""
    if isinstance(schema, list):
        return [name for item in schema for name in functions(item)]
    if not isinstance(schema, dict):
        return []
    names = []
    if schema.get("type") in ("function-before", "function-after"):
        names.append(schema["function"]["function"].__name__)
    return names + [name for value in schema.values() for name in functions(value)]


def row(record: Recorded) -> codec.LogRow:
    event = record.event
    payload = codec.encode(event)
    return (payload, event.type, codec.SCHEMA_VERSION, record.position, record.version, AT)


def test_a_term_sets_reader_skips_only_its_checks_and_its_id_normaliser() -> None:
    schema = codec._built(TermSet).__pydantic_core_schema__
    model = functions(schema)
    reader = functions(codec._read_back(schema))

    assert model == ["_expires_after_effective", "_printable_id", "_limits"]
    assert reader == []


def test_a_correction_keeps_the_validator_that_gives_its_replacement_an_identity() -> None:
    schema = codec._built(EventCorrected).__pydantic_core_schema__
    reader = functions(codec._read_back(schema))

    assert reader == ["_inherit_identity"]


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

    facts = [r for r in records if not isinstance(r.event, AMENDMENTS)]  # not facts: left out
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
