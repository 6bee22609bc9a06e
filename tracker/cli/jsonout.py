"""JSON for scripts, written out as it is made: the text of `json.dumps(data, indent=2,
ensure_ascii=False)`, with the characters that could steer a terminal escaped, in pieces.

A timeline lists, for each period of a term, every event that shaped it: one term amended
5,000 times is 5,000 lists that each extend the one before, 12 million strings and 234 MB of
text. The standard library's encoder (its Python one: the C one knows no indent) walks every
string of every list, and the text was then held whole, twice. Here a list of strings that
extends the list written last under the same key and at the same depth reuses that list's
text and encodes only what follows it, and the text goes out a few thousand pieces at a
time.

Rows (`Rows`: a list of many values of one shape, such as one per agreement) are written
by the standard library's C encoder, a few hundred at a time, their text laid out by msgspec's
formatter: the same text, without a Python call per value."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

import msgspec

from tracker.core.text import hidden

_PIECES = 4096  # pieces held before they are written out together
_ROWS = 256  # rows encoded together


class Rows(list[Any]):
    """A list that the writer writes as it writes any list, faster when it is long: each row
    a value of its own (a row per agreement), with no lists of strings that extend the ones
    of the rows before (which the writer would reuse the text of: see `_Writer._strings`)."""


# JSON's own text is ASCII; json.dumps escapes C0 controls but keeps DEL and all the rest.
_UNUSUAL = re.compile(r"[^\x20-\x7e\n]")


def dumps(data: Any) -> str:
    """JSON for scripts: stable key order as built, UTF-8 kept, except that controls, format
    characters (bidirectional overrides among them) and separators are written as \\u
    escapes: the same strings to a JSON reader, and nothing that can steer a terminal."""
    parts: list[str] = []
    write(data, parts.append)
    return "".join(parts)


def write(data: Any, out: Callable[[str], object]) -> None:
    """Write the text of `dumps(data)` through `out`, a few thousand pieces at a time: it is
    never held whole."""
    writer = _Writer(out)
    writer.value(data, 0, None)
    writer.flush()


class _Writer:
    """JSON text as json.dumps with indent=2 writes it, held in pieces until there are enough
    to write out."""

    def __init__(self, out: Callable[[str], object]) -> None:
        self.write = out
        self.held: list[str] = []
        # (depth, key) -> the list of strings written last there, and its items' text.
        self.strings: dict[tuple[int, object], tuple[tuple[str, ...], str]] = {}

    def flush(self) -> None:
        if self.held:
            self.write("".join(self.held))
            self.held.clear()

    def value(self, o: Any, level: int, key: object) -> None:
        """One value, under `key` (of a dict; None in a list) at depth `level`; json's order
        of type checks."""
        held = self.held
        if isinstance(o, str):
            held.append(_string(o))
        elif o is None:
            held.append("null")
        elif o is True:
            held.append("true")
        elif o is False:
            held.append("false")
        elif isinstance(o, int):
            held.append(int.__repr__(o))
        elif isinstance(o, float):
            held.append(_float(o))
        elif isinstance(o, list | tuple):
            self.array(o, level, key)
        elif isinstance(o, dict):
            self.object(o, level)
        else:
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")
        if len(held) >= _PIECES:
            self.flush()

    def array(self, items: list[Any] | tuple[Any, ...], level: int, key: object) -> None:
        if not items:
            self.held.append("[]")
            return
        inner, close = "\n" + "  " * (level + 1), "\n" + "  " * level + "]"
        if isinstance(items, Rows):
            self.rows(items, level, inner)
            self.held.append(close)
            return
        text = self._strings(items, level, key, "," + inner)
        if text is not None:
            self.held.append(f"[{inner}{text}{close}")
            return
        lead = "[" + inner
        for item in items:
            self.held.append(lead)
            self.value(item, level + 1, None)
            lead = "," + inner
        self.held.append(close)

    def rows(self, items: Rows, level: int, inner: str) -> None:
        """The rows of a list at depth `level`, after its `[` and before its close, some
        hundreds at a time in the standard library's text; value by value where that cannot
        be had (NaN, infinities, lone surrogates: JSON that msgspec's formatter refuses)."""
        lead = "[" + inner
        for start in range(0, len(items), _ROWS):
            chunk = items[start : start + _ROWS]
            text = _standard(chunk, level)
            if text is not None:
                self.held.append(lead + text)
                lead = "," + inner
                self.flush()  # already long: no need to hold it with others
                continue
            for item in chunk:
                self.held.append(lead)
                self.value(item, level + 1, None)
                lead = "," + inner

    def _strings(
        self, items: list[Any] | tuple[Any, ...], level: int, key: object, separator: str
    ) -> str | None:
        """The text of a list's items when they are all strings, else None: the text of the
        list written last at this place when this one begins with it, and the rest after."""
        seen, slot = tuple(items), (level, key)
        last, text = self.strings.get(slot, ((), ""))
        if seen[: len(last)] != last:
            last, text = (), ""
        new = seen[len(last) :]
        if not all(type(s) is str for s in new):
            return None
        if new:
            more = separator.join(map(_string, new))
            text = f"{text}{separator}{more}" if text else more
        self.strings[slot] = (seen, text)
        return text

    def object(self, items: dict[Any, Any], level: int) -> None:
        if not items:
            self.held.append("{}")
            return
        inner = "\n" + "  " * (level + 1)
        lead = "{" + inner
        for key, item in items.items():
            self.held.append(f"{lead}{_string(_key(key))}: ")
            self.value(item, level + 1, key)
            lead = "," + inner
        self.held.append("\n" + "  " * level + "}")


def _standard(items: list[Any], level: int) -> str | None:
    """The text of a list's items, as json.dumps with indent=2 writes them in a list at depth
    `level` (between its `[` with the first item's indent and its close), with `dumps`'
    escapes; None where msgspec's formatter cannot read what the C encoder wrote, or for data
    that is no JSON (the writer then says so in its own words)."""
    # Without json's check for cycles (a fifth of its cost): a value that holds itself
    # recurses to a RecursionError, and is then written value by value, which refuses it.
    try:
        text = json.dumps(items, ensure_ascii=False, check_circular=False)
        text = msgspec.json.format(text, indent=2)
    except (ValueError, TypeError, RecursionError):
        return None
    # "[\n  " + the items, each line of them indented for depth 1 + "\n]": for `level`.
    text = text[4:-2].replace("\n", "\n" + "  " * level)
    if text.isascii() and "\x7f" not in text:  # nothing for _UNUSUAL: most rows
        return text
    # Outside strings, the text is printable ASCII and new lines: only strings' characters
    # are escaped, as `_string` escapes them.
    return _UNUSUAL.sub(_escape, text)


def _string(text: str) -> str:
    """A string as json.dumps writes it, with dumps' escapes."""
    encoded: str = encode_basestring(text)
    if encoded.isascii() and "\x7f" not in encoded:  # nothing for _UNUSUAL: most strings
        return encoded
    return _UNUSUAL.sub(_escape, encoded)


def _key(key: object) -> str:
    """A dict key as json.dumps writes it."""
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def _float(number: float) -> str:
    """A float as json.dumps writes it (NaN and the infinities as JavaScript does)."""
    if number != number:
        return "NaN"
    if number == float("inf"):
        return "Infinity"
    if number == float("-inf"):
        return "-Infinity"
    return float.__repr__(number)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if not hidden(char):
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a surrogate pair, as JSON writes it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
