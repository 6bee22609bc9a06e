"""The work every system does: the same agreements, term by term, as tracker events, as the
peer's events and as plain JSON rows; and the clock that times it."""

from __future__ import annotations

import datetime as dt
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.core.events import (
    AgreementCreated,
    Citation,
    Event,
    Party,
    Source,
    StoredSource,
    TermSet,
)
from tracker.service import Tracker
from tracker.store.log import EventStore

START = dt.date(2000, 1, 1)
LATE = dt.date(2099, 12, 31)
SOURCE = "bench-source"
# The source every change cites, stored with each agreement's creation (a citation must name
# a stored source).
STORED_SOURCE = StoredSource(source=Source(id=SOURCE, title="Benchmark source"))


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much work each figure does, and how many rounds."""

    rounds: int
    long: int
    agreements: int
    per_agreement: int
    state_samples: int
    singles: int
    memory: tuple[int, int]
    pg_long: int
    pg_singles: int
    cold_runs: int


FULL = Sizes(7, 100_000, 10_000, 100, 40, 500, (100_000, 1_000_000), 100_000, 300, 7)
QUICK = Sizes(3, 20_000, 500, 100, 30, 150, (20_000, 50_000), 10_000, 100, 5)


def content(n: int, keys: int, per_day: int) -> dict[str, Any]:
    """The n-th term change of an agreement: one of `keys` terms, dates rising every
    `per_day` changes, citing one source."""
    return {
        "term": f"terms.t{n % keys:02d}",
        "summary": f"Term {n % keys} as set by event {n}",
        "value": {"amount": n, "currency": "USD", "share": 0.2},
        "effective": START + dt.timedelta(days=n // per_day),
        "certainty": "reported",
        "sources": [{"source": SOURCE, "stance": "supports"}],
    }


def contents(first: int, count: int, keys: int, per_day: int) -> Iterator[dict[str, Any]]:
    """Term changes first .. first + count - 1."""
    return (content(n, keys, per_day) for n in range(first, first + count))


def created_event(agreement: str) -> AgreementCreated:
    """The tracker's agreement.created event that opens an agreement's log."""
    parties = (Party(name="Alpha", role="licensor"), Party(name="Beta", role="licensee"))
    return AgreementCreated(
        id=f"{agreement}-0",
        agreement=agreement,
        effective=START,
        title=f"Agreement {agreement}",
        parties=parties,
    )


def term_event(agreement: str, n: int, change: dict[str, Any]) -> TermSet:
    """A term change as the tracker's term.set event."""
    fields = {**change, "sources": tuple(Citation(**c) for c in change["sources"])}
    return TermSet(id=f"{agreement}-{n}", agreement=agreement, **fields)


def tracker_events(agreement: str, first: int, count: int, keys: int, per_day: int) -> list[Event]:
    """Term changes first .. first + count - 1 as tracker events (with the creation at 0)."""
    events: list[Event] = []
    for n in range(first, first + count):
        if n == 0:
            events.append(created_event(agreement))
        else:
            events.append(term_event(agreement, n, content(n, keys, per_day)))
    return events


def plain_row(agreement: str, n: int, keys: int, per_day: int) -> dict[str, Any]:
    """A term change as a plain JSON-ready dict (dates as text)."""
    change = content(n, keys, per_day)
    change["effective"] = change["effective"].isoformat()
    return {"id": f"{agreement}-{n}", "agreement": agreement, "type": "term.set", **change}


def writer(url: str) -> Tracker:
    """The tracker over a database URL, created and migrated when new, as a writer opens it."""
    return Tracker.open(url)


def reader(url: str) -> Tracker:
    """The tracker over an existing database, as a read command opens it."""
    return Tracker.open(url, create=False)


def without_snapshots(path: Path) -> None:
    """Drop the stored folds of a tracker file (appends keep them current), so that a replay
    reads the whole log; snapshots are derived data, so no answer changes."""
    conn = sqlite3.connect(path)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    if "snapshots" in tables:
        conn.execute("DELETE FROM snapshots")
        conn.commit()
    conn.close()


def sqlite_settings(store: EventStore) -> str:
    """The journal mode and synchronous level the store's engine connections use."""
    with store.engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={journal}, synchronous={levels.get(int(sync or 0), sync)}"


def timed(action: Callable[[], object]) -> float:
    """Seconds the action takes (no garbage collection forced before it)."""
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def median(values: Sequence[float]) -> float:
    """The median of the values."""
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of the values, nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def medians(samples: dict[str, list[float]], scale: float = 1.0) -> list[float]:
    """Each system's median, in the dict's order (tracker, peer, limit), times `scale`."""
    return [median(values) * scale for values in samples.values()]


def sources_for(events: Sequence[Event]) -> tuple[StoredSource, ...]:
    """The sources to store with a batch: the cited one, with the batch that creates the
    agreement."""
    return (STORED_SOURCE,) if events and isinstance(events[0], AgreementCreated) else ()
