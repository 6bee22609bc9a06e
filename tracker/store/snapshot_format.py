"""The stored format of snapshots: a snapshot's fold as JSON, read back through pydantic
(never code), and the digest that ties it to its agreement, version, cutoff and head. One that
does not read back, or was written in another format, is absent (see tracker.core.snapshot
for what a snapshot is and when it may stand in for replay)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from tracker.core.dates import When
from tracker.core.events import Certainty, EndReason, Fact, Party, Resolution
from tracker.core.projector import Applied, Fold, Live
from tracker.core.snapshot import Snapshot
from tracker.core.state import EndedTerm, Proposal

# The format of a snapshot's body: a change of the fold or of this file bumps it, and
# snapshots of any other format are ignored.
FORMAT: Literal[1] = 1


class _Doc(BaseModel):
    # Built on first use: a read that finds no snapshot (most short commands) never needs them.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class _Applied(_Doc):
    fact: Fact
    position: int
    corrections: tuple[str, ...] = ()


class _Live(_Doc):
    set: _Applied
    later: tuple[_Applied, ...] = ()


class _When(_Doc):
    """A date range whole: a derived one (an expiry's day after) has no text of its own."""

    text: str
    first: dt.date
    last: dt.date


class _Proposal(_Doc):
    event: str
    term: str
    summary: str
    certainty: Certainty
    since: _When
    resolution: Resolution | None = None
    resolved_by: str | None = None


class _Ended(_Doc):
    summary: str
    ended: _When
    reason: EndReason
    events: tuple[str, ...]
    certainty: Certainty


class _Body(_Doc):
    format: Literal[1]
    agreement: str
    version: int
    cutoff: dt.date
    title: str | None = None
    parties: tuple[Party, ...] = ()
    terms: dict[str, _Live] = {}
    pending: dict[str, _Proposal] = {}
    resolved: dict[str, _Proposal] = {}
    ended: dict[str, _Ended] = {}
    next_expiry: dt.date | None = None
    created: dt.date | None = None
    retracted: dict[str, str] = {}
    corrected: tuple[str, ...] = ()


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
        terms={k: _live_doc(v) for k, v in state.terms.items()},
        pending={k: _proposal_doc(p) for k, p in state.pending.items()},
        resolved={k: _proposal_doc(p) for k, p in state.resolved.items()},
        ended={k: _ended_doc(e) for k, e in state.ended.items()},
        next_expiry=state.next_expiry,
        created=state.created,
        retracted=dict(snapshot.retracted),
        corrected=tuple(sorted(snapshot.corrected)),
    )
    return body.model_dump_json(exclude_none=True)


def loads(text: str, agreement: str, version: int, cutoff: dt.date) -> Snapshot | None:
    """The snapshot a stored body holds; None when it does not read back, is of another
    format, or is not the snapshot of this agreement at this version and cutoff."""
    try:
        doc = _Body.model_validate_json(text)
    except (ValueError, ValidationError, RecursionError):
        return None
    if (doc.agreement, doc.version, doc.cutoff) != (agreement, version, cutoff):
        return None
    state = Fold(
        title=doc.title,
        parties=doc.parties,
        terms={k: _live(v) for k, v in doc.terms.items()},
        pending={k: _proposal(p) for k, p in doc.pending.items()},
        resolved={k: _proposal(p) for k, p in doc.resolved.items()},
        ended={k: _ended(e) for k, e in doc.ended.items()},
        next_expiry=doc.next_expiry,
        created=doc.created,
    )
    return Snapshot(agreement, version, cutoff, state, doc.retracted, frozenset(doc.corrected))


def digest(agreement: str, version: int, cutoff: dt.date, head_hash: str, body: str) -> str:
    """What ties a stored snapshot to its agreement's log: a SHA-256 of its body, its place
    and the hash of the event at its version."""
    text = f"snapshot/{FORMAT}\n{agreement}\n{version}\n{cutoff.isoformat()}\n{head_hash}\n{body}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _when_doc(w: When) -> _When:
    return _When(text=w.text, first=w.first, last=w.last)


def _when(d: _When) -> When:
    return When(d.text, d.first, d.last)


def _proposal_doc(p: Proposal) -> _Proposal:
    since = _when_doc(p.since)
    return _Proposal(event=p.event, term=p.term, summary=p.summary, certainty=p.certainty,
                     since=since, resolution=p.resolution, resolved_by=p.resolved_by)  # fmt: skip


def _proposal(d: _Proposal) -> Proposal:
    return Proposal(
        d.event, d.term, d.summary, d.certainty, _when(d.since), d.resolution, d.resolved_by
    )


def _ended_doc(e: EndedTerm) -> _Ended:
    return _Ended(summary=e.summary, ended=_when_doc(e.ended), reason=e.reason, events=e.events,
                  certainty=e.certainty)  # fmt: skip


def _ended(d: _Ended) -> EndedTerm:
    return EndedTerm(d.summary, _when(d.ended), d.reason, d.events, d.certainty)


def _applied_doc(applied: Applied) -> _Applied:
    return _Applied(fact=applied.fact, position=applied.position, corrections=applied.corrections)


def _live_doc(live: Live) -> _Live:
    return _Live(set=_applied_doc(live.set), later=tuple(_applied_doc(a) for a in live.later))


def _applied(doc: _Applied) -> Applied:
    return Applied(doc.fact, doc.position, doc.corrections)


def _live(doc: _Live) -> Live:
    return Live(_applied(doc.set), tuple(_applied(a) for a in doc.later))
