"""The stored format of snapshots: a snapshot's fold as JSON, read back by msgspec into the
fold's own classes (never code), and the digest that ties it to its agreement, version, cutoff
and head. One that does not read back, or was written in another format, is absent (see
tracker.core.snapshot for what a snapshot is and when it may stand in for replay)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from typing import Literal

import msgspec

from tracker.core.dates import When
from tracker.core.events import Party
from tracker.core.projector import Fold, Live
from tracker.core.snapshot import Snapshot
from tracker.core.state import EndedTerm, Proposal

# The format of a snapshot's body: a change of the fold or of this file bumps it, and
# snapshots of any other format are ignored. 2: the fold's own classes, as msgspec writes them.
FORMAT: Literal[2] = 2


class _Body(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True
):
    """A snapshot's body: where it stands, and the fold (its own classes, written whole)."""

    format: Literal[2]
    agreement: str
    version: int
    cutoff: dt.date
    title: str | None = None
    parties: tuple[Party, ...] = ()
    terms: dict[str, Live] = {}
    pending: dict[str, Proposal] = {}
    resolved: dict[str, Proposal] = {}
    ended: dict[str, EndedTerm] = {}
    next_expiry: dt.date | None = None
    created: dt.date | None = None
    retracted: dict[str, str] = {}
    corrected: tuple[str, ...] = ()


def _when_whole(value: object) -> object:
    """A When written whole, [text, first, last]: a derived one (an expiry's day after) is
    not what its text would parse to."""
    if isinstance(value, When):
        return [value.text, value.first, value.last]
    raise NotImplementedError(f"{type(value).__name__} is not JSON")


def _when_of(kind: type, value: object) -> object:
    if kind is When and isinstance(value, list) and len(value) == 3:
        text, first, last = value
        if isinstance(text, str) and isinstance(first, str) and isinstance(last, str):
            return When(text, dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    raise NotImplementedError(f"expected a date range, got {type(value).__name__}")


@functools.cache
def _decoder() -> msgspec.json.Decoder[_Body]:
    """The body's decoder, built on first use: most reads find no snapshot."""
    return msgspec.json.Decoder(_Body, dec_hook=_when_of)


def dumps(snapshot: Snapshot) -> str:
    """The snapshot as JSON text, in the current format."""
    state = snapshot.fold
    body = _Body(
        format=FORMAT,
        agreement=snapshot.agreement,
        version=snapshot.version,
        cutoff=snapshot.cutoff,
        title=state.title,
        parties=state.parties,
        terms=state.terms,
        pending=state.pending,
        resolved=state.resolved,
        ended=state.ended,
        next_expiry=state.next_expiry,
        created=state.created,
        retracted=dict(snapshot.retracted),
        corrected=tuple(sorted(snapshot.corrected)),
    )
    return msgspec.json.encode(body, enc_hook=_when_whole).decode()


def loads(text: str, agreement: str, version: int, cutoff: dt.date) -> Snapshot | None:
    """The snapshot a stored body holds; None when it does not read back, is of another
    format, or is not the snapshot of this agreement at this version and cutoff."""
    try:
        doc = _decoder().decode(text)
    except (msgspec.DecodeError, ValueError, RecursionError):
        return None
    if (doc.agreement, doc.version, doc.cutoff) != (agreement, version, cutoff):
        return None
    state = Fold(
        title=doc.title,
        parties=doc.parties,
        terms=dict(doc.terms),
        pending=dict(doc.pending),
        resolved=dict(doc.resolved),
        ended=dict(doc.ended),
        next_expiry=doc.next_expiry,
        created=doc.created,
    )
    return Snapshot(agreement, version, cutoff, state, doc.retracted, frozenset(doc.corrected))


def digest(agreement: str, version: int, cutoff: dt.date, head_hash: str, body: str) -> str:
    """What ties a stored snapshot to its agreement's log: a SHA-256 of its body, its place
    and the hash of the event at its version."""
    text = f"snapshot/{FORMAT}\n{agreement}\n{version}\n{cutoff.isoformat()}\n{head_hash}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
