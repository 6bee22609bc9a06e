"""Head files: the heads `tracker verify --write-heads` writes, to keep outside the database,
and reads back with `--against`."""

from __future__ import annotations

import json
from typing import Any

from msgspec.structs import asdict

from tracker.core.heads import Head, Heads
from tracker.errors import FileFormatError

FORMAT = "tracker-heads/1"


def to_json(heads: Heads) -> str:
    """The head file's text."""
    document = {
        "format": FORMAT,
        "digest": heads.digest(),
        "agreements": {h.agreement: _fields(h) for h in heads.heads},
    }
    return json.dumps(document, indent=2) + "\n"


def _fields(head: Head) -> dict[str, Any]:
    data = asdict(head)
    del data["agreement"]
    return data


def parse(text: str, name: str) -> Heads:
    """The heads in a head file; FileFormatError (one line) when it is not one."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        return Heads(tuple(_head(a, f) for a, f in document["agreements"].items()))
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as e:
        raise FileFormatError(f"{name}: not a head file written by tracker verify ({e})") from e


def _head(agreement: Any, fields: Any) -> Head:
    head = Head(agreement, **fields)
    types = (str, int, str, int, str)
    if not all(type(v) is t for v, t in zip(asdict(head).values(), types, strict=True)):
        raise ValueError(f"agreement {agreement!r}: malformed head")
    return head
