"""The values the projector builds: a term's fields as its term.set put them read as the plain
mapping of their FieldStates, which the fold builds only when asked for."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

from tracker.core.dates import When
from tracker.core.state import FieldState, SetFields

SINCE = When.day(dt.date(2025, 1, 1))


def field(value: object) -> FieldState:
    return FieldState(value, SINCE, "reported", ("acme-p",), ("ft",))


def test_set_fields_read_as_the_mapping_of_their_field_states() -> None:
    fields = SetFields({"eur": 10, "unit": "kg"}, SINCE, "reported", ("acme-p",), ("ft",))
    expected = {"eur": field(10), "unit": field("kg")}

    assert (dict(fields), list(fields), len(fields)) == (expected, ["eur", "unit"], 2)
    assert (fields["eur"], fields.get("eur"), fields.get("volume")) == (field(10), field(10), None)
    assert repr(fields) == repr(expected)


def test_set_fields_equal_a_plain_mapping_of_the_same_field_states_either_way() -> None:
    fields = SetFields({"eur": 10}, SINCE, "reported", ("acme-p",), ("ft",))

    assert fields == {"eur": field(10)}
    assert {"eur": field(10)} == fields
    assert MappingProxyType({"eur": field(10)}) == fields
    assert fields != {"eur": field(12)}
    assert fields != {"eur": field(10), "unit": field("kg")}


def test_set_fields_on_the_left_equal_a_read_only_mapping_and_differ_from_another() -> None:
    fields = SetFields({"eur": 10}, SINCE, "reported", ("acme-p",), ("ft",))

    assert fields == MappingProxyType({"eur": field(10)})
    assert fields != MappingProxyType({"eur": field(11)})
    assert MappingProxyType({"eur": field(11)}) != fields
