"""The JSON writer for scripts (`tracker.cli.jsonout`) writes, byte for byte, what the standard
library's `json.dumps(data, indent=2, ensure_ascii=False)` writes, with the characters that
could steer a terminal escaped; lists of strings that extend one another, which it writes by
reusing the text of the one before, included."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.cli import jsonout
from tracker.core.text import hidden


def standard(data: Any) -> str:
    """json.dumps's text, then every hidden character (control, format, separator...) as a
    \\u escape: how the command line wrote JSON before it wrote it in pieces."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if not hidden(char):
            return char
        code = ord(char)
        if code < 0x10000:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    return re.sub(r"[^\x20-\x7e\n]", escape, json.dumps(data, indent=2, ensure_ascii=False))


# Text with what a reader rarely sees: controls, DEL, C1, bidirectional overrides, line
# separators, lone surrogates, characters beyond the BMP, quotes and backslashes.
TEXT = st.text(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(["\x00", "\x1b", "\x7f", "\x85", "\x9b", "\u202e", "\u2028", "\ud800"]),
        st.sampled_from(['"', "\\", "\n", "\t", "é", "語", "\U0001f600", "\U000e0001"]),
    ),
    max_size=12,
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
KEYS = st.one_of(TEXT, st.integers(), st.floats(), st.booleans(), st.none())
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=5).map(tuple),
        st.dictionaries(KEYS, inner, max_size=5),
    ),
    max_leaves=40,
)


@given(data=DATA)
def test_any_json_data_is_written_as_the_standard_library_writes_it(data: Any) -> None:
    assert jsonout.dumps(data) == standard(data)


@st.composite
def extending_lists(draw: st.DrawFn) -> list[list[str] | tuple[str, ...]]:
    """Lists of strings, each one the one before with strings added, or cut, or another."""
    lists: list[list[str] | tuple[str, ...]] = []
    current: list[str] = []
    for _ in range(draw(st.integers(1, 8))):
        step = draw(st.sampled_from(["extend", "extend", "cut", "other", "same"]))
        if step == "extend":
            current = current + draw(st.lists(TEXT, max_size=3))
        elif step == "cut":
            current = current[: draw(st.integers(0, len(current)))]
        elif step == "other":
            current = draw(st.lists(TEXT, max_size=4))
        lists.append(tuple(current) if draw(st.booleans()) else list(current))
    return lists


@given(lists=extending_lists(), other=st.lists(st.one_of(TEXT, st.integers()), max_size=3))
def test_lists_that_extend_one_another_are_written_as_the_standard_library_writes_them(
    lists: list[list[str] | tuple[str, ...]], other: list[object]
) -> None:
    # Periods of two terms, as a timeline writes them, with a list of other things beside.
    data = {
        "terms": {
            term: [{"events": events, "other": other} for events in lists]
            for term in ("a.first", "b.second")
        },
        "events": lists[-1],
    }

    assert jsonout.dumps(data) == standard(data)


def test_pieces_written_out_join_into_the_whole_text() -> None:
    data = {"events": [[f"e{n}" for n in range(k)] for k in range(300)], "n": list(range(5000))}
    pieces: list[str] = []

    jsonout.write(data, pieces.append)

    assert len(pieces) > 1
    assert "".join(pieces) == standard(data)


@given(rows=st.lists(DATA, max_size=6), depth=st.integers(0, 3), key=TEXT)
def test_rows_at_any_depth_are_written_as_the_standard_library_writes_them(
    rows: list[Any], depth: int, key: str
) -> None:
    data: Any = jsonout.Rows(rows)
    for level in range(depth):
        data = {key: data, "n": level} if level % 2 else [level, data]

    assert jsonout.dumps(data) == standard(data)


def test_many_rows_are_written_in_parts_each_as_the_standard_library_writes_it() -> None:
    # Rows that the formatter cannot take (NaN, a lone surrogate) among ones it can.
    rows = [{"agreement": f"a{n}", "value": [n, n / 7, "é\u202e\x7f"], "empty": {}}
            for n in range(700)]  # fmt: skip
    rows[300]["value"] = [float("nan")]
    rows[650]["agreement"] = "\ud800"
    data = {"agreements": jsonout.Rows(rows), "after": []}
    pieces: list[str] = []

    jsonout.write(data, pieces.append)

    assert len(pieces) > 1
    assert "".join(pieces) == standard(data)


def test_a_row_that_holds_itself_is_refused_as_any_value_that_does() -> None:
    row: list[Any] = []
    row.append(row)

    with pytest.raises(RecursionError):
        jsonout.dumps({"rows": jsonout.Rows([row])})
    with pytest.raises(RecursionError):
        jsonout.dumps({"rows": [row]})
