"""Reading YAML as its 1.2 core schema does, in bounded memory and time.

PyYAML resolves plain scalars by YAML 1.1, where `80:20` is the sexagesimal integer 4820 and
`no` is false; here a plain scalar is null, a boolean, an integer or a float only in the
forms of the 1.2 core schema, and text otherwise. Dates stay text, for the models to parse.

Objects are built straight from the parser's events (libyaml's, when PyYAML has it), with no
tree of nodes in between: a node of that tree costs several hundred bytes, more than the text
it came from. The number of values, the depth, aliases and keys are checked as the events come,
so a hostile file is refused before it costs more than a legitimate one.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

# libyaml's parser where PyYAML was built with it: some fifty times faster than PyYAML's own.
LOADER: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# An agreement file nests a few levels (events, a value, a replacement's value).
MAX_DEPTH = 64
# Values (scalars, lists and mappings) in one file: a 16 MiB file of ordinary events holds
# about 1.5 million; this bound keeps a file of one-character values within the same memory.
MAX_VALUES = 2_000_000
MAX_DIGITS = 30

_CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"null|Null|NULL|~|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


class Refused(yaml.MarkedYAMLError):
    """Input this reader does not take, at a place in the text."""

    def __init__(self, problem: str, event: Any) -> None:
        super().__init__(problem=problem, problem_mark=event.start_mark)


def load(text: str) -> Any:
    """The one document of `text` (None when it holds none); yaml.YAMLError otherwise."""
    loader = LOADER(text)
    try:
        loader.get_event()  # the stream's start
        if loader.check_event(StreamEndEvent):
            return None
        loader.get_event()  # the document's start
        data = _document(loader)
        loader.get_event()  # the document's end
        if not loader.check_event(StreamEndEvent):
            raise Refused("a file holds one YAML document", loader.get_event())
        return data
    finally:
        loader.dispose()


def _document(loader: Any) -> Any:
    """The value of one document, built event by event with a stack of open collections."""
    stack: list[Any] = []  # open lists and mappings; a mapping's pending key beside it
    keys: list[Any] = []
    count = 0
    while True:
        event = loader.get_event()
        if isinstance(event, AliasEvent):
            raise Refused("YAML aliases are not allowed", event)
        if isinstance(event, (MappingEndEvent, SequenceEndEvent)):
            value = stack.pop()
            keys.pop()
        else:
            count += 1
            if count > MAX_VALUES:
                raise Refused(f"more than {MAX_VALUES:,} values; split the file", event)
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                if stack and isinstance(stack[-1], dict) and keys[-1] is _NO_KEY:
                    raise Refused("a key is text or a number, not a list or mapping", event)
                if len(stack) >= MAX_DEPTH:
                    raise Refused(f"nested more than {MAX_DEPTH} levels deep", event)
                _check_tag(event, "map" if isinstance(event, MappingStartEvent) else "seq")
                stack.append({} if isinstance(event, MappingStartEvent) else [])
                keys.append(_NO_KEY)
                continue
            if not isinstance(event, ScalarEvent):
                raise Refused(f"unexpected {type(event).__name__}", event)
            value = scalar(event)
        if not stack:
            return value
        _add(stack[-1], keys, value, event)


class _NoKey:
    """The place of a mapping's next key, before it is read."""


_NO_KEY = _NoKey()


def _add(parent: Any, keys: list[Any], value: Any, event: Any) -> None:
    """Put a finished value into the open list or mapping: a key waits for its value."""
    if isinstance(parent, list):
        parent.append(value)
    elif keys[-1] is _NO_KEY:
        if value in parent:
            raise Refused(f"duplicate key {value!r}", event)
        keys[-1] = value
    else:
        parent[keys[-1]] = value
        keys[-1] = _NO_KEY


def _check_tag(event: Any, kind: str) -> None:
    if event.tag not in (None, "!", _CORE + kind):
        raise Refused(f"the tag {event.tag} is not allowed", event)


def scalar(event: Any) -> Any:
    """A scalar's value: a plain one by the core schema, a quoted one as text, a tagged one
    by its tag (str, int, float, bool or null)."""
    text: str = event.value
    tag = event.tag
    if tag in (None, "!"):
        if not event.implicit[0]:  # quoted or block: always text
            return text
        return _resolved(text, event)
    kind = tag.removeprefix(_CORE) if tag.startswith(_CORE) else None
    if kind == "str":
        return text
    value = _resolved(text, event)
    wanted = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(kind or "")
    if wanted is None:
        raise Refused(f"the tag {tag} is not allowed", event)
    if wanted is float and type(value) is int:
        return float(value)
    if type(value) is not wanted:
        raise Refused(f"{text!r} is not a {kind}", event)
    return value


def core_kind(text: str) -> str:
    """What the YAML 1.2 core schema reads a plain scalar as: null, bool, int, float or str."""
    if _NULL.fullmatch(text):
        return "null"
    if _TRUE.fullmatch(text) or _FALSE.fullmatch(text):
        return "bool"
    if _INT.fullmatch(text):
        return "int"
    if _FLOAT.fullmatch(text) or _INF.fullmatch(text) or _NAN.fullmatch(text):
        return "float"
    return "str"


def _resolved(text: str, event: Any) -> Any:
    """A plain scalar's value by the YAML 1.2 core schema."""
    kind = core_kind(text)
    if kind == "str":
        return text
    if kind == "null":
        return None
    if kind == "bool":
        return text[0] in "tT"
    if kind == "int":
        if len(text.lstrip("+-0")) > MAX_DIGITS:
            raise Refused(f"a number longer than {MAX_DIGITS} digits", event)
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text, 10)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if _NAN.fullmatch(text) else float(text)
