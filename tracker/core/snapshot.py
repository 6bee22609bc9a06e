"""Snapshots: an agreement's fold stored at a version, and when it may stand in for replay.

A snapshot holds the fold of every fact that counts at its version, applied in valid-time
order, and its cutoff: the last day of its latest fact. It answers a state on or after its
cutoff, as known at or after its version was recorded, while no event recorded after it could
have changed the fold up to the cutoff (see `covers`). How it is stored is the store's
(tracker.store.snapshot_format).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import msgspec

from tracker.core.events import (
    CORRECTION_TYPES,
)
from tracker.core.projector import (
    Fold,
    Resolved,
    advance,
    known,
    resolve,
    state_of,
)
from tracker.core.state import AgreementState, Recorded


class Snapshot(msgspec.Struct, frozen=True):
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
    retraction or a correction, none may be effective before its cutoff (an imprecise date's
    first day counts), and none is an event it already counts as retracted or corrected (ids
    are unique; this only guards against a damaged log)."""
    events = [record.event for record in tail]
    if not all(may_follow(snapshot.cutoff, e.type, e.effective.first) for e in events):
        return False
    amended = snapshot.retracted.keys() | snapshot.corrected
    return not amended or amended.isdisjoint(e.id for e in events)


def may_follow(cutoff: dt.date, event_type: str, first_day: dt.date) -> bool:
    """Whether an event recorded after a snapshot with this cutoff may leave its fold as it
    is, by its type and the first day of its date: not a retraction or correction, and not
    possibly effective before the cutoff. One that starts on the cutoff sorts after every fact
    the snapshot holds, as replay orders them (by the last day, then the first, then the
    position): it ends later, or it is of that very day and recorded after them."""
    return event_type not in CORRECTION_TYPES and first_day >= cutoff


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
