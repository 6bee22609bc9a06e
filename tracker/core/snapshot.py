"""Snapshots: an agreement's fold stored at a version, and when it may stand in for replay.

A snapshot holds the fold of every fact that counts at its version, applied in valid-time
order, and its cutoff: the last day of its latest fact. It answers a state on or after its
cutoff, as known at or after its version was recorded, while no event recorded after it could
have changed the fold up to the cutoff (see `covers`). It is JSON read back through pydantic,
never code; one that does not read back, or was written in another format, is absent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from tracker.core.dates import When
from tracker.core.events import (
    CORRECTION_TYPES,
    Certainty,
    EndReason,
    Fact,
    Party,
    Resolution,
)
from tracker.core.projector import (
    Applied,
    Fold,
    Live,
    Resolved,
    advance,
    known,
    resolve,
    state_of,
)
from tracker.core.state import AgreementState, EndedTerm, Proposal, Recorded

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


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An agreement's fold at a version, and the last day of the facts it holds."""

    agreement: str
    version: int
    cutoff: dt.date
    fold: Fold
    retracted: Mapping[str, str]
    corrected: frozenset[str]


def take(agreement: str, records: list[Recorded]) -> Snapshot | None:
    """The snapshot of a whole log (in log order) at its last version; None for no facts."""
    if not records:
        return None
    resolution = resolve(records)
    state = Fold()
    cutoff = advance(state, resolution.facts)
    if cutoff is None:
        return None
    corrected = frozenset(resolution.corrected_by)
    version = records[-1].version
    return Snapshot(agreement, version, cutoff, state, resolution.retracted, corrected)


def extend(snapshot: Snapshot, tail: list[Recorded]) -> Snapshot | None:
    """The snapshot at the tail's last version, folded on from `snapshot` (changed in place);
    None when the tail does not follow it (see `covers`)."""
    if not tail:
        return snapshot
    if not covers(snapshot, tail):
        return None
    cutoff = advance(snapshot.fold, resolve(tail).facts)
    cutoff = snapshot.cutoff if cutoff is None else max(cutoff, snapshot.cutoff)
    return Snapshot(
        snapshot.agreement,
        tail[-1].version,
        cutoff,
        snapshot.fold,
        snapshot.retracted,
        snapshot.corrected,
    )


def covers(snapshot: Snapshot, tail: Iterable[Recorded]) -> bool:
    """True when events recorded after the snapshot leave its fold as it is: none is a
    retraction or a correction, none may be effective on or before its cutoff (an imprecise
    date's first day counts), and none is an event it already counts as retracted or
    corrected (ids are unique; this only guards against a damaged log)."""
    events = [record.event for record in tail]
    if not all(may_follow(snapshot.cutoff, e.type, e.effective.first) for e in events):
        return False
    amended = snapshot.retracted.keys() | snapshot.corrected
    return not amended or amended.isdisjoint(e.id for e in events)


def may_follow(cutoff: dt.date, event_type: str, first_day: dt.date) -> bool:
    """Whether an event recorded after a snapshot with this cutoff may leave its fold as it
    is, by its type and the first day of its date: not a retraction or correction, and not
    possibly effective on or before the cutoff."""
    return event_type not in CORRECTION_TYPES and first_day > cutoff


def may_answer(cutoff: dt.date, moment: dt.datetime, as_of: dt.date, known_at: dt.datetime) -> bool:
    """Whether a snapshot with this cutoff, of a version recorded at `moment`, may answer a
    state on `as_of` as known at `known_at` (the events after it still to be checked)."""
    return as_of >= cutoff and known_at >= moment


def state_from(
    snapshot: Snapshot, tail: list[Recorded], as_of: dt.date, known_at: dt.datetime
) -> AgreementState | None:
    """The state on `as_of` as known at `known_at`, from the snapshot and the events recorded
    after it that are effective by `as_of` (in log order); None when the snapshot cannot
    answer, and the log must be replayed."""
    if as_of < snapshot.cutoff:
        return None
    tail = known(tail, known_at)
    if not covers(snapshot, tail):
        return None
    facts = resolve(tail).facts
    resolution = Resolved(facts, snapshot.retracted, {})
    return state_of(snapshot.agreement, resolution, as_of, known_at, snapshot.fold)


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
