"""Writing the same agreements three ways: through the tracker, through the peer, and as
plain rows; each function returns the seconds spent in the writes alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from figures import info
from workload import (
    START,
    STORED_SOURCE,
    contents,
    plain_row,
    sources_for,
    timed,
    tracker_events,
    writer,
)

from tracker.store.log import EventStore

BATCH = 1_000
KEYS = 50


@dataclass(slots=True)
class Files:
    """The SQLite files of one piece of work: the tracker's, the peer's and the plain one."""

    tracker: Path
    peer: Path
    plain: Path

    @classmethod
    def named(cls, folder: Path, name: str) -> Files:
        """Three new file paths in a folder."""
        return cls(
            folder / f"{name}-tracker.db", folder / f"{name}-peer.db", folder / f"{name}-plain.db"
        )

    def remove(self) -> None:
        """Delete the files and their WAL and shared-memory files."""
        for path in (self.tracker, self.peer, self.plain):
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)


def url_of(path: Path) -> str:
    """The tracker's URL of a SQLite file."""
    return f"sqlite:///{path}"


def append_tracker(store: EventStore, agreement: str, count: int) -> float:
    """Append `count` events to one agreement, BATCH per call; seconds spent in the calls."""
    seconds = 0.0
    for first in range(0, count, BATCH):
        events = tracker_events(agreement, first, min(BATCH, count - first), KEYS, 10)
        seconds += timed(
            lambda events=events: store.append(agreement, events, sources=sources_for(events))
        )
    return seconds


def append_peer(app: Any, agreement: str, count: int) -> float:
    """The same through the peer: one aggregate, saved every BATCH events; seconds saving."""
    import peer

    aggregate = peer.created(agreement, START)
    seconds = 0.0
    for first in range(0, count, BATCH):
        start = max(first, 1)
        peer.set_terms(
            aggregate, contents(start, min(BATCH, count - first) - (start - first), KEYS, 10)
        )
        seconds += timed(lambda: app.save(aggregate))
    return seconds


def append_plain(plain: Any, agreement: str, count: int) -> float:
    """The same as plain rows, one executemany per BATCH (JSON encoding timed too)."""
    seconds = 0.0
    for first in range(0, count, BATCH):
        rows = [plain_row(agreement, n, KEYS, 10) for n in range(first, min(first + BATCH, count))]
        seconds += timed(lambda rows=rows, first=first: plain.append(first + 1, rows))
    return seconds


def build_long(files: Files, count: int) -> tuple[float, float, float]:
    """One agreement of `count` events in each of the three files; seconds each took."""
    import peer
    from plain import PlainSqlite

    tracker = writer(url_of(files.tracker))
    tracker_s = append_tracker(tracker.store, "long", count)
    tracker.close()
    with peer.closing(peer.open_sqlite(str(files.peer))) as app:
        peer_s = append_peer(app, "long", count)
    plain = PlainSqlite(str(files.plain))
    plain_s = append_plain(plain, "long", count)
    plain.close()
    return tracker_s, peer_s, plain_s


def singles_tracker(store: EventStore, agreement: str, count: int) -> float:
    """Append `count` events one per transaction, each with its expected version; seconds."""
    store.append(agreement, tracker_events(agreement, 0, 1, KEYS, 1), sources=[STORED_SOURCE])
    events = tracker_events(agreement, 1, count, KEYS, 1)
    seconds = 0.0
    for version, event in enumerate(events, start=1):
        seconds += timed(
            lambda v=version, e=event: store.append(agreement, [e], expected_version=v)
        )
    return seconds


def singles_peer(app: Any, agreement: str, count: int) -> float:
    """The same through the peer: one event triggered, then saved, per transaction."""
    import peer

    aggregate = peer.created(agreement, START)
    app.save(aggregate)
    seconds = 0.0
    for change in contents(1, count, KEYS, 1):
        aggregate.set_term(**change)
        seconds += timed(lambda: app.save(aggregate))
    return seconds


def singles_plain(plain: Any, agreement: str, count: int) -> float:
    """The same as plain rows: one INSERT and one durable COMMIT each (the fsync floor)."""
    seconds = 0.0
    for n in range(1, count + 1):
        row = plain_row(agreement, n, KEYS, 1)
        seconds += timed(lambda n=n, row=row: plain.append(n, [row]))
    return seconds


def build_many(files: Files, names: Sequence[str], per: int) -> None:
    """`per` events for each agreement, one transaction per agreement, in each file."""
    import peer
    from plain import PlainSqlite

    with writer(url_of(files.tracker)) as tracker:
        store = tracker.store
        seconds = timed(
            lambda: [
                store.append(n, tracker_events(n, 0, per, 10, 1), sources=[STORED_SOURCE])
                for n in names
            ]
        )
    info(f"tracker built {len(names) * per:,} events in {seconds:.1f} s (events made too)")
    with peer.closing(peer.open_sqlite(str(files.peer))) as app:

        def save_all() -> None:
            for name in names:
                aggregate = peer.created(name, START)
                peer.set_terms(aggregate, contents(1, per - 1, 10, 1))
                app.save(aggregate)

        info(f"peer built them in {timed(save_all):.1f} s")
    plain = PlainSqlite(str(files.plain))
    for name in names:
        plain.append(1, [plain_row(name, n, 10, 1) for n in range(per)])
    plain.close()
