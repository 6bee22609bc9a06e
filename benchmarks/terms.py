"""Benchmark: one term on a date across many agreements (`tracker terms KEY`), alone.

Usage: python benchmarks/terms.py [--agreements 10000] [--per 100] [--rounds 7] [--db FILE]

Builds (unless FILE exists already) the agreements of bench.py's full mode: AGREEMENTS
agreements of PER events each (a creation and term.sets of 10 terms, one a day), one append
per agreement; then times, in rounds, `Tracker.terms` in a warm process and the command
`tracker terms KEY --format json` in a new one. The figures are the medians, in ms.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from workload import LATE, STORED_SOURCE, reader, tracker_events, writer

KEY = "terms.t03"


def build(path: Path, agreements: int, per: int) -> None:
    """The agreements, one append each, in a new SQLite file."""
    start = time.perf_counter()
    with writer(f"sqlite:///{path}") as tracker:
        for n in range(agreements):
            name = f"agreement-{n:05d}"
            events = tracker_events(name, 0, per, 10, 1)
            tracker.store.append(name, events, sources=[STORED_SOURCE])
    print(f"built {agreements:,} x {per} events in {time.perf_counter() - start:.1f} s")


def warm(url: str, rounds: int) -> tuple[float, int]:
    """The median ms of Tracker.terms over `rounds` calls in this process (after one call
    that is not timed) on the database at `url`, and how many agreements it answered."""
    with reader(url) as tracker:
        found = tracker.terms(KEY, LATE)
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            tracker.terms(KEY, LATE)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(found)


def cold(db: str, rounds: int) -> float:
    """The median ms of the command in a new process each round, on `db` (a file or a URL,
    as `--db` takes it)."""
    script = Path(sys.executable).parent / "tracker"
    command = [str(script), "terms", KEY, "--as-of", LATE.isoformat(), "--db", db,
               "--format", "json"]  # fmt: skip
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--per", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--db", type=Path, help="keep the built file here (reused if present)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "terms.db"
        if not path.exists():
            build(path, args.agreements, args.per)
        ms, answered = warm(f"sqlite:///{path}", args.rounds)
        print(f"Tracker.terms({KEY!r}) across {answered:,} agreements: median {ms:.1f} ms")
        cli = cold(str(path), args.rounds)
        print(f"tracker terms {KEY} (a new process each): median {cli:.1f} ms")


if __name__ == "__main__":
    main()
