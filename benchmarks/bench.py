"""Benchmarks: the tracker measured against its peer (the `eventsourcing` library) and against
plain sqlite3 / psycopg, on the same work, in one run.

Usage: python benchmarks/bench.py [--quick] [--json FILE] [--postgres URL | --no-postgres]

Rounds are interleaved (tracker, peer, limit, tracker, ...) and each figure is the median of
its rounds. Every figure is printed with the peer's, their ratio, the limit measured in the same
run and its targets (MET / NOT MET); then a summary table, and the results go to a JSON file.
The exit status is 0 whatever the figures: it is a measurement, not a test. It needs the peer:
`pip install -e ".[dev,bench]"`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pydantic
import sqlalchemy as sa
from cold import bench_cold_start
from figures import Check, Figure, Result, info, shown, summary, write_json
from pg import bench_postgres
from reading import bench_memory, bench_snapshot, bench_state
from workload import (
    FULL,
    LATE,
    QUICK,
    Sizes,
    medians,
    reader,
    sqlite_settings,
    timed,
    without_snapshots,
    writer,
)
from writes import BATCH, Files, build_long, singles_peer, singles_plain, singles_tracker, url_of


def bench_batch(folder: Path, sizes: Sizes) -> tuple[Result, Files]:
    """Batch append: `long` events to one agreement, BATCH per transaction, new files each
    round; the last round's files are kept for the replay and size figures."""
    rates: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    files = Files.named(folder, "long-0")
    for round_ in range(sizes.rounds):
        if round_:
            files.remove()
            files = Files.named(folder, f"long-{round_}")
        for name, seconds in zip(rates, build_long(files, sizes.long), strict=True):
            rates[name].append(sizes.long / seconds)
    tracker, peer_, plain = medians(rates)
    figure = Figure(
        f"batch append ({sizes.long:,} events, {BATCH:,} per transaction)",
        "events/s",
        "rate",
        tracker,
        peer_,
        plain,
        "sqlite3 executemany",
        [
            Check("x peer", tracker / peer_, ">=", 1.5),
            Check("x executemany", tracker / plain, ">=", 0.7),
        ],
    )
    return shown(figure), files


def bench_replay(files: Files, sizes: Sizes) -> Result:
    """Replay of the long agreement from a cold cache: a newly opened store each round."""
    import peer
    from plain import PlainSqlite

    without_snapshots(files.tracker)
    times: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    for _ in range(sizes.rounds):
        tracker = reader(url_of(files.tracker))
        times["tracker"].append(timed(lambda t=tracker: t.state("long", LATE)))
        tracker.close()
        with peer.closing(peer.open_sqlite(str(files.peer))) as app:
            times["peer"].append(timed(lambda: app.repository.get(peer.agreement_id("long"))))
        plain = PlainSqlite(str(files.plain))
        times["plain"].append(timed(lambda p=plain: p.read("long")))
        plain.close()
    tracker, peer_, plain_ = medians(times, 1000)
    figure = Figure(
        f"replay of a {sizes.long:,}-event agreement",
        "ms",
        "time",
        tracker,
        peer_,
        plain_,
        "sqlite3 fetch + json.loads",
        [Check("x faster than peer", peer_ / tracker, ">=", 5)],
        "a newly opened store each round, no snapshot; tracker: Tracker.state as of a late date",
    )
    return shown(figure)


def checkpointed_size(path: Path) -> int:
    """The SQLite file's size once its WAL is checkpointed into it."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.stat().st_size


def bench_bytes(files: Files, sizes: Sizes) -> Result:
    """Bytes per event on disk: each file's size after a checkpoint, over its events."""
    tracker, peer_, plain = (
        checkpointed_size(p) / sizes.long for p in (files.tracker, files.peer, files.plain)
    )
    figure = Figure(
        f"bytes per event ({sizes.long:,} events)",
        "B",
        "size",
        tracker,
        peer_,
        plain,
        "plain table",
        [Check("x peer's size", tracker / peer_, "<=", 1.1)],
    )
    return shown(figure)


def bench_single(folder: Path, sizes: Sizes) -> Result:
    """Single durable appends on SQLite: new files each round."""
    import peer
    from plain import PlainSqlite

    rates: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    for round_ in range(sizes.rounds):
        files = Files.named(folder, f"single-{round_}")
        tracker = writer(url_of(files.tracker))
        store = tracker.store
        rates["tracker"].append(sizes.singles / singles_tracker(store, "single", sizes.singles))
        with peer.closing(peer.open_sqlite(str(files.peer))) as app:
            rates["peer"].append(sizes.singles / singles_peer(app, "single", sizes.singles))
            if round_ == 0:
                info(f"tracker: {sqlite_settings(store)}; peer: {peer.sqlite_settings(app)}")
        tracker.close()
        plain = PlainSqlite(str(files.plain))
        rates["plain"].append(sizes.singles / singles_plain(plain, "single", sizes.singles))
        plain.close()
        files.remove()
    tracker, peer_, floor = medians(rates)
    figure = Figure(
        f"single durable append ({sizes.singles:,} per round)",
        "appends/s",
        "rate",
        tracker,
        peer_,
        floor,
        "fsync floor: sqlite3 commit loop",
        [
            Check("x peer", tracker / peer_, ">=", 1.3),
            Check("floor / tracker", floor / tracker, "<=", 1.2),
        ],
    )
    return shown(figure)


def about(quick: bool, sizes: Sizes) -> dict[str, Any]:
    """The run's mode, sizes and environment, printed and written with the results."""
    from importlib.metadata import version

    return {
        "mode": "quick" if quick else "full",
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "sizes": asdict(sizes),
        "python": sys.version.split()[0],
        "sqlalchemy": sa.__version__,
        "pydantic": pydantic.VERSION,
        "sqlite": sqlite3.sqlite_version,
        "eventsourcing": version("eventsourcing"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
    }


def print_about(run: dict[str, Any], sizes: Sizes) -> None:
    """What the figures come from."""
    print(f"tracker benchmarks, {run['mode']} mode, {run['started']}")
    print(
        f"Python {run['python']}, SQLAlchemy {run['sqlalchemy']}, pydantic {run['pydantic']}, "
        f"SQLite {run['sqlite']}, eventsourcing {run['eventsourcing']}, {run['machine']}"
    )
    print(
        f"sizes: {sizes.rounds} rounds; long agreement {sizes.long:,} events; "
        f"{sizes.agreements:,} agreements x {sizes.per_agreement} events; "
        f"{sizes.singles} single appends; memory replays of "
        f"{' and '.join(f'{c:,}' for c in sizes.memory)} events; PostgreSQL "
        f"{sizes.pg_long:,} events and {sizes.pg_singles} single appends\n"
    )


def run_all(folder: Path, sizes: Sizes, quick: bool, postgres: str | None) -> list[Result]:
    """Every figure, in order."""
    batch, files = bench_batch(folder, sizes)
    results = [batch, bench_replay(files, sizes), bench_bytes(files, sizes)]
    results.extend(bench_memory(folder, files, sizes, quick))
    results.append(bench_snapshot(files, sizes))
    files.remove()
    results.append(bench_single(folder, sizes))
    state, many = bench_state(folder, sizes)
    results.extend(state)
    many.remove()
    results.append(bench_cold_start(folder, sizes))
    results.extend(bench_postgres(postgres, sizes))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Run every figure, print them and the summary, write the JSON file; 0 unless the
    benchmark itself fails."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), metavar="FILE")
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432/postgres",
        metavar="URL",
        help="a server where a scratch database may be created and dropped",
    )
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL figures")
    args = parser.parse_args(argv)
    if not peer_installed():
        print('the peer is not installed: pip install -e ".[dev,bench]"', file=sys.stderr)
        return 2
    sizes = QUICK if args.quick else FULL
    run = about(args.quick, sizes)
    print_about(run, sizes)
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="tracker-bench-"))
    try:
        results = run_all(folder, sizes, args.quick, None if args.no_postgres else args.postgres)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    run["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\nSummary ({run['mode']} mode, {run['seconds']:.0f} s)\n{summary(results)}")
    write_json(args.json, run, results)
    print(f"\nresults written to {args.json}")
    return 0


def peer_installed() -> bool:
    """Whether the `bench` extra (the peer library) can be imported."""
    try:
        import peer  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
