"""Benchmark: `tracker verify` (every chain recomputed, heads and digest) on a large database.

Usage: python benchmarks/verify.py [--agreements 1000] [--events 100]

Builds a SQLite file of AGREEMENTS x EVENTS events through the tracker's store, then times the
check that `tracker verify` runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from tracker.core.events import AgreementCreated, Event, Party, TermSet
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.integrity import check
from tracker.store.log import EventStore


def events(agreement: str, count: int) -> list[Event]:
    """An agreement's creation and count - 1 term changes."""
    start = dt.date(2020, 1, 1)
    created = AgreementCreated(
        id=f"{agreement}-0", agreement=agreement, effective=start, title=agreement,
        parties=(Party(name="A", role="a"),),
    )  # fmt: skip
    changes = [
        TermSet(
            id=f"{agreement}-{n}",
            agreement=agreement,
            effective=start,
            term=f"t.k{n % 20}",
            summary=f"s{n}",
        )
        for n in range(1, count)
    ]
    return [created, *changes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agreements", type=int, default=1000)
    parser.add_argument("--events", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'verify.db'}")
        ensure_schema(engine)
        store = EventStore(engine)
        for n in range(args.agreements):
            store.append(f"a{n}", events(f"a{n}", args.events))
        start = time.perf_counter()
        report = check(engine)
        seconds = time.perf_counter() - start
        engine.dispose()
    assert report.problems == []
    print(
        f"verify: {report.events:,} events in {args.agreements:,} agreements: {seconds:.2f} s "
        f"({report.events / seconds:,.0f} events/s)"
    )


if __name__ == "__main__":
    main()
