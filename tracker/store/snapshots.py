"""Snapshot rows: an agreement's fold at a version, read back only when it still holds.

The core decides what a snapshot holds and when it answers (`tracker.core.snapshot`); this
module stores it, reads it with the events recorded after it, and keeps it current as the log
grows. A row that does not match its digest, its version's event or its format is ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, NamedTuple

from tracker.core import snapshot as snapshots
from tracker.core.snapshot import Snapshot
from tracker.core.state import Recorded
from tracker.errors import IntegrityError
from tracker.store import codec, snapshot_format, sql
from tracker.store.driver import Cursor, day, written_day, written_moment

# How many events may follow an agreement's snapshot before an append writes a new one.
EVERY = 1000


class _Row(NamedTuple):
    version: int
    cutoff: dt.date
    format: int
    body: str
    digest: str
    head_hash: str
    moment: dt.datetime


def _row(look: Cursor, agreement: str) -> _Row | None:
    """The agreement's snapshot row with its version's hash and moment; None when there is
    none, or when its columns do not even read back."""
    rows = look.rows(sql.SNAPSHOT_READ, {"agreement": agreement})
    if not rows:
        return None
    version, cutoff, format_, body, digest, stored_hash, recorded_at = rows[0]
    head_hash = codec.hex_of(stored_hash)
    try:
        cut, at = written_day(cutoff), written_moment(recorded_at)
    except ValueError:  # a damaged date column on SQLite: verify names it, reads replay
        return None
    return _Row(version, cut, format_, body, digest, head_hash, at)


def _decoded(agreement: str, row: _Row) -> Snapshot | None:
    """The snapshot a row holds, when it is whole and tied to its version's event."""
    if row.format != snapshot_format.FORMAT or not isinstance(row.body, str):
        return None
    expected = snapshot_format.digest(agreement, row.version, row.cutoff, row.head_hash, row.body)
    if expected != row.digest:
        return None
    return snapshot_format.loads(row.body, agreement, row.version, row.cutoff)


def _tail(
    look: Cursor,
    agreement: str,
    snapshot: _Row,
    until: dt.date | None = None,
    known_at: dt.datetime | None = None,
) -> list[Recorded] | None:
    """The events recorded after the snapshot; None, before any is decoded, when one of them
    may change what the snapshot folded (see `tracker.core.snapshot.may_follow`)."""
    params = {"agreement": agreement, "after": snapshot.version, "until": until,
              "known_at": known_at}  # fmt: skip
    rows = look.rows(sql.snapshot_tail_sql(until is not None, known_at is not None), params)
    if not all(snapshots.may_follow(snapshot.cutoff, r[1], day(r[6])) for r in rows):
        return None

    return codec.stored_records(r[:6] for r in rows)


def for_state(
    look: Cursor, agreement: str, as_of: dt.date, known_at: dt.datetime
) -> tuple[Snapshot, list[Recorded]] | None:
    """The agreement's snapshot and the events after it that a state on `as_of` as known at
    `known_at` reads; None when there is no snapshot that can answer it."""
    row = _row(look, agreement)
    if row is None or not snapshots.may_answer(row.cutoff, row.moment, as_of, known_at):
        return None
    tail = _tail(look, agreement, row, as_of, known_at)
    if tail is None:
        return None
    snapshot = _decoded(agreement, row)
    return None if snapshot is None else (snapshot, tail)


def write(look: Cursor, snapshot: Snapshot) -> None:
    """Store a snapshot in place of the agreement's, unless that one is of a later version."""
    agreement, version = snapshot.agreement, snapshot.version
    stored = _row(look, agreement)
    if stored is not None and stored.version > version:
        return
    rows = look.rows(sql.SNAPSHOT_HEAD_HASH, {"agreement": agreement, "version": version})
    head_hash = codec.hex_of(rows[0][0])
    body = snapshot_format.dumps(snapshot)
    digest = snapshot_format.digest(agreement, version, snapshot.cutoff, head_hash, body)
    mark = "?" if look.sqlite else "%s"
    cutoff: Any = snapshot.cutoff.isoformat() if look.sqlite else snapshot.cutoff
    look.insert(sql.SNAPSHOT_DELETE.format(mark), [(agreement,)])
    row = (agreement, version, cutoff, snapshot_format.FORMAT, body, digest)
    look.insert(sql.SNAPSHOT_INSERT.format(", ".join([mark] * len(row))), [row])


def rebuild(look: Cursor, agreement: str, records: list[Recorded]) -> Snapshot | None:
    """Write the snapshot of a whole log (in log order) and return it (None for no facts)."""
    snapshot = snapshots.take(agreement, records)
    if snapshot is not None:
        write(look, snapshot)
    return snapshot


def refresh(
    look: Cursor,
    agreement: str,
    new: list[Recorded],
    stored: object,
    read_before: Callable[[], list[Recorded]],
) -> None:
    """After an append (in its transaction, `new` its events; `stored` the version column of
    the agreement's snapshot row, read with sql.SNAPSHOT_VERSION, None without one): when
    EVERY events or more follow the snapshot, write a new one at the new head from no more
    than EVERY events read back: folded on from the snapshot over the events after it, when
    they follow it; else from the whole log while fewer than EVERY events came before `new`
    (`read_before()` reads them). An append never replays a longer log: a snapshot it cannot
    fold on is dropped (reads set it aside, and would read its ever longer tail to learn
    it), and `tracker db snapshot` writes the next one."""
    since = stored if isinstance(stored, int) else 0
    if new[-1].version - since < EVERY:  # most appends stop here
        return
    row = None if stored is None else _row(look, agreement)
    folded = None if row is None else _folded_on(look, agreement, row, new)
    if folded is not None:
        write(look, folded)
    elif new[0].version - 1 < EVERY:
        rebuild(look, agreement, [*read_before(), *new])
    elif stored is not None:
        mark = "?" if look.sqlite else "%s"
        look.insert(sql.SNAPSHOT_DELETE.format(mark), [(agreement,)])


def _folded_on(look: Cursor, agreement: str, row: _Row, new: list[Recorded]) -> Snapshot | None:
    """The snapshot a row holds, folded on over the events after it (those of earlier appends
    read back, then `new`); None when it is damaged or they do not follow it."""
    snapshot = _decoded(agreement, row)
    if snapshot is None:
        return None
    tail: list[Recorded] | None = new
    if new[0].version > row.version + 1:
        tail = _tail(look, agreement, row)
    return None if tail is None else snapshots.extend(snapshot, tail)


def check(look: Cursor, agreement: str | None = None) -> list[str]:
    """Each stored snapshot (of every agreement, or one) that differs from the one its log
    gives at its version, one line each: verify rebuilds every snapshot, as reads trust one
    whose digest holds, and its recipe is no secret."""
    where = "" if agreement is None else " WHERE agreement = :agreement"
    rows = look.rows(sql.SNAPSHOT_STORED.format(where=where), {"agreement": agreement})
    problems = []
    for name, version, cutoff, format_, body, digest in sorted(rows, key=lambda r: str(r[0])):
        if format_ != snapshot_format.FORMAT:
            continue  # reads ignore a snapshot of another format
        problem = _differs(look, name, version, cutoff, body, digest)
        if problem is not None:
            problems.append(f"snapshot of {name!r} at version {version!r}: {problem}")
    return problems


def _differs(
    look: Cursor, agreement: str, version: object, cutoff: object, body: object, digest: object
) -> str | None:
    """How a stored snapshot differs from the one rebuilt from its log, if it does."""
    try:
        day_cut = written_day(cutoff)
        log = codec.stored_records(look.rows(sql.SNAPSHOT_LOG_UPTO, {"agreement": agreement,
                                                         "version": version}))  # fmt: skip
    except ValueError as e:
        return f"column cutoff {e}"
    except IntegrityError:
        return "cannot be rebuilt: its log is damaged (see above)"
    if not log or log[-1].version != version:
        return "its version is not in the log"
    expected = snapshots.take(agreement, log)
    if expected is None:
        return "its log holds no fact"
    head_hash = codec.hex_of(look.rows(sql.SNAPSHOT_HEAD_HASH, {"agreement": agreement,
                                                    "version": version})[0][0])  # fmt: skip
    stored = None if not isinstance(body, str) else snapshot_format.loads(body, agreement, version,
                                                                     day_cut)  # fmt: skip
    if digest != snapshot_format.digest(agreement, expected.version, day_cut, head_hash, str(body)):
        return "its digest does not match its body and the log (reads ignore it)"
    if day_cut != expected.cutoff or stored != expected:
        return "differs from the snapshot its log gives: it was forged or is stale"
    return None
