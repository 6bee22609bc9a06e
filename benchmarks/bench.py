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
import json
import os
import platform
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pydantic
import sqlalchemy as sa
from figures import Check, Figure, Missing, Result, summary, write_json
from workload import (
    LATE,
    START,
    contents,
    median,
    percentile,
    plain_row,
    reader,
    sqlite_settings,
    timed,
    tracker_events,
    writer,
)

from tracker.service import Tracker
from tracker.store.log import EventStore

HERE = Path(__file__).resolve().parent
RECORD = HERE.parent / "events" / "microsoft-openai.yaml"
BATCH = 1_000
KEYS = 50
TERMS_KEY = "terms.t03"


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


def info(text: str) -> None:
    """Print a detail that is not itself a figure."""
    print(f"    {text}", flush=True)


def shown(result: Result) -> Result:
    """Print a result's line and hand it back."""
    print(result.line(), flush=True)
    return result


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


def medians(samples: dict[str, list[float]], scale: float = 1.0) -> list[float]:
    """Each system's median, in the dict's order (tracker, peer, limit), times `scale`."""
    return [median(values) * scale for values in samples.values()]


def url_of(path: Path) -> str:
    """The tracker's URL of a SQLite file."""
    return f"sqlite:///{path}"


# -- writing the same long agreement three ways -------------------------------------------


def append_tracker(store: EventStore, agreement: str, count: int) -> float:
    """Append `count` events to one agreement, BATCH per call; seconds spent in the calls."""
    seconds = 0.0
    for first in range(0, count, BATCH):
        events = tracker_events(agreement, first, min(BATCH, count - first), KEYS, 10)
        seconds += timed(lambda events=events: store.append(agreement, events))
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
        "a newly opened store each round; tracker: Tracker.state as of a late date",
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


def child(args: Sequence[str], env: dict[str, str] | None = None) -> str:
    """Run benchmarks/child.py in a new interpreter; its standard output."""
    command = [sys.executable, str(HERE / "child.py"), *args]
    return subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout


def peak_mb(system: str, target: str) -> tuple[float, float]:
    """Peak resident memory (MB) of a new process replaying the long agreement, and what the
    same process held before the replay (after its imports and opening the database)."""
    out = json.loads(child(["peak", system, target, "long"]))
    return out["peak_kb"] / 1024, out["before_kb"] / 1024


def bench_memory(folder: Path, files: Files, sizes: Sizes, quick: bool) -> list[Result]:
    """Peak memory of a replay of each size, each in its own process (ru_maxrss)."""
    results: list[Result] = []
    for count in sizes.memory:
        here = files
        if count != sizes.long:
            here = Files.named(folder, f"memory-{count}")
            info(f"building a {count:,}-event agreement for the tracker and the peer ...")
            build_long(here, count)
        tracker, before = peak_mb("tracker", url_of(here.tracker))
        peer_, peer_before = peak_mb("peer", str(here.peer))
        info(
            f"{count:,} events: before the replay tracker {before:.0f} MB, "
            f"peer {peer_before:.0f} MB"
        )
        checks = [] if count < 1_000_000 else [Check("MB", tracker, "<=", 500)]
        note = "a new process each (peak resident memory)"
        if quick and count == sizes.memory[1]:
            note += "; the 500 MB target is for 1,000,000 events: full mode"
        figure = Figure(
            f"peak memory, replay of {count:,} events",
            "MB",
            "size",
            tracker,
            peer_,
            note=note,
            checks=checks,
        )
        results.append(shown(figure))
        if here is not files:
            here.remove()
    return results


def bench_snapshot(files: Files, sizes: Sizes) -> Result:
    """Replay of the long agreement when a snapshot is current (when the tracker has them)."""
    import peer

    name = f"replay of {sizes.long:,} events, snapshot current"
    if not hasattr(Tracker, "snapshot"):
        return shown(Missing(name, "Tracker.snapshot is missing"))
    with writer(url_of(files.tracker)) as tracker:
        tracker.snapshot("long")  # type: ignore[attr-defined]
    with peer.closing(peer.open_sqlite(str(files.peer), snapshots=True)) as app:
        app.take_snapshot(peer.agreement_id("long"))
    times: dict[str, list[float]] = {"tracker": [], "peer": []}
    for _ in range(sizes.rounds):
        tracker = reader(url_of(files.tracker))
        times["tracker"].append(timed(lambda t=tracker: t.state("long", LATE)))
        tracker.close()
        with peer.closing(peer.open_sqlite(str(files.peer), snapshots=True)) as app:
            times["peer"].append(timed(lambda: app.repository.get(peer.agreement_id("long"))))
    tracker, peer_ = medians(times, 1000)
    checks = [Check("ms", tracker, "<=", 10)]
    return shown(Figure(name, "ms", "time", tracker, peer_, checks=checks, digits=1))


def singles_tracker(store: EventStore, agreement: str, count: int) -> float:
    """Append `count` events one per transaction, each with its expected version; seconds."""
    store.append(agreement, tracker_events(agreement, 0, 1, KEYS, 1))
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


def build_many(files: Files, names: Sequence[str], per: int) -> None:
    """`per` events for each agreement, one transaction per agreement, in each file."""
    import peer
    from plain import PlainSqlite

    with writer(url_of(files.tracker)) as tracker:
        store = tracker.store
        seconds = timed(lambda: [store.append(n, tracker_events(n, 0, per, 10, 1)) for n in names])
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


@contextmanager
def opened(files: Files) -> Iterator[tuple[Tracker, Any, Any]]:
    """The tracker, the peer and the plain reader, open over the files."""
    import peer
    from plain import PlainSqlite

    plain = PlainSqlite(str(files.plain))
    with (
        reader(url_of(files.tracker)) as tracker,
        peer.closing(peer.open_sqlite(str(files.peer))) as app,
    ):
        yield tracker, app, plain
    plain.close()


def bench_state(folder: Path, sizes: Sizes) -> tuple[list[Result], Files]:
    """State of one agreement among many, in a warm process: random picks each round, the
    same picks for every system; then the terms query across all of them."""
    import peer

    files = Files.named(folder, "many")
    names = [f"agreement-{i:05d}" for i in range(sizes.agreements)]
    build_many(files, names, sizes.per_agreement)
    picks = random.Random(42)
    times: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    with opened(files) as (tracker, app, plain):
        for _ in range(sizes.rounds):
            chosen = picks.sample(names, sizes.state_samples)
            for name in chosen:
                times["tracker"].append(timed(lambda n=name: tracker.state(n, LATE)))
            for name in chosen:
                times["peer"].append(timed(lambda n=name: app.repository.get(peer.agreement_id(n))))
            for name in chosen:
                times["plain"].append(timed(lambda n=name: plain.read(n)))
        terms = bench_terms(tracker, sizes, median(times["tracker"]), median(times["peer"]))
    ms = {name: [t * 1000 for t in values] for name, values in times.items()}
    info(
        f"{len(ms['tracker'])} samples each: tracker p95 {percentile(ms['tracker'], 95):.2f} ms, "
        f"peer p95 {percentile(ms['peer'], 95):.2f} ms"
    )
    tracker_ms, peer_ms, plain_ms = medians(ms)
    figure = Figure(
        f"state of one {sizes.per_agreement}-event agreement among {sizes.agreements:,}",
        "ms",
        "time",
        tracker_ms,
        peer_ms,
        plain_ms,
        "sqlite3 fetch + json.loads",
        [Check("x faster than peer", peer_ms / tracker_ms, ">=", 4)],
        digits=2,
    )
    return [shown(figure), terms], files


def bench_terms(tracker: Tracker, sizes: Sizes, state_s: float, peer_s: float) -> Result:
    """One term's value on a date across every agreement, in one call (when the tracker has
    it), against a loop of state over all of them, extrapolated from the state samples."""
    name = f"one term on a date across {sizes.agreements:,} agreements"
    query: Callable[..., Any] | None = getattr(tracker, "terms", None)
    if query is None:
        info(f"loop of Tracker.state over all: {state_s * sizes.agreements:.2f} s (extrapolated)")
        return shown(Missing(name, "Tracker.terms is missing"))
    found = query(TERMS_KEY, LATE)
    if len(found) != sizes.agreements:
        info(f"terms returned {len(found)} entries, expected {sizes.agreements}")
    seconds = [timed(lambda: query(TERMS_KEY, LATE)) for _ in range(sizes.rounds)]
    tracker_ms = median(seconds) * 1000
    figure = Figure(
        name,
        "ms",
        "time",
        tracker_ms,
        peer_s * sizes.agreements * 1000,
        state_s * sizes.agreements * 1000,
        "loop of Tracker.state",
        [Check("ms", tracker_ms, "<=", 100)],
        "Tracker.terms; peer and limit: median state time x agreements (extrapolated)",
        digits=1,
    )
    return shown(figure)


def cold_env(folder: Path) -> dict[str, str]:
    """The environment for start-up runs: bytecode cached (as in an installed package), but
    under `folder`, so that nothing is written beside the sources; no database override."""
    dropped = {"TRACKER_DATABASE_URL", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def run_once(args: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of a command (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def cold_commands(folder: Path) -> dict[str, list[str]]:
    """The tracker's state command on the shipped record, the peer's open-and-read of an
    agreement of as many events, and an empty interpreter."""
    import peer

    tracker_cli = str(Path(sys.executable).parent / "tracker")
    url = url_of(folder / "record.db")
    subprocess.run(
        [tracker_cli, "import", str(RECORD), "--db", url], check=True, capture_output=True
    )
    state = [tracker_cli, "state", "microsoft-openai", "--as-of", "2025-01-21"]
    state += ["--format", "json", "--db", url]
    printed = json.loads(subprocess.run(state, check=True, capture_output=True).stdout)
    with reader(url) as tracker:
        events = tracker.store.version("microsoft-openai")
    info(f"tracker state prints {len(printed['terms'])} terms from {events} events")
    path = folder / "record-peer.db"
    with peer.closing(peer.open_sqlite(str(path))) as app:
        aggregate = peer.created("microsoft-openai", START)
        peer.set_terms(aggregate, contents(1, events - 1, 10, 1))
        app.save(aggregate)
    return {
        "tracker": state,
        "peer": [
            sys.executable,
            str(HERE / "child.py"),
            "peer-read",
            str(path),
            "microsoft-openai",
        ],
        "python": [sys.executable, "-c", "pass"],
    }


def bench_cold_start(folder: Path, sizes: Sizes) -> Result:
    """Start-up: each command in a new process, rounds interleaved after a warm-up round."""
    commands = cold_commands(folder)
    env = cold_env(folder)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(sizes.cold_runs + 1):
        for name, args in commands.items():
            seconds = run_once(args, env)
            if round_:
                times[name].append(seconds * 1000)
    tracker, peer_, python = medians(times)
    figure = Figure(
        "cold start: open and read one agreement",
        "ms",
        "time",
        tracker,
        peer_,
        python,
        "python -c pass",
        [Check("tracker / peer time", tracker / peer_, "<=", 2)],
        "tracker: `tracker state` on the shipped record; peer: its open-and-read, same count",
    )
    return shown(figure)


@dataclass(frozen=True, slots=True)
class Postgres:
    """A scratch PostgreSQL database for one run."""

    host: str
    port: int
    user: str
    dbname: str

    @property
    def url(self) -> str:
        """The database's URL."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


@contextmanager
def scratch_database(admin_url: str) -> Iterator[Postgres]:
    """A new database on the server of `admin_url`, dropped on leaving."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(admin_url)
    name = f"tracker_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield Postgres(str(parts.get("host", "localhost")), int(parts.get("port", 5432)),
                       str(parts.get("user", "postgres")), name)  # fmt: skip
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_postgres(admin_url: str | None, sizes: Sizes) -> list[Result]:
    """Batch and single appends on PostgreSQL, against the peer and plain psycopg."""
    names = ("PostgreSQL batch append", "PostgreSQL single append")
    if admin_url is None:
        return [shown(Missing(name, "--no-postgres")) for name in names]
    import psycopg

    try:
        with scratch_database(admin_url) as db:
            return postgres_figures(db, sizes)
    except psycopg.OperationalError as e:
        reason = f"cannot reach PostgreSQL: {str(e).strip().splitlines()[0]}"
        return [shown(Missing(name, reason)) for name in names]


def postgres_figures(db: Postgres, sizes: Sizes) -> list[Result]:
    """The PostgreSQL figures, rounds interleaved, on growing tables (new agreements)."""
    import peer
    from plain import PlainPostgres

    tracker = writer(db.url)
    store = tracker.store
    app = peer.open_postgres(db.dbname, db.host, db.port, db.user)
    plain = PlainPostgres(db.url)
    batch: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    single: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    n, m = sizes.pg_long, sizes.pg_singles
    try:
        for r in range(sizes.rounds):
            batch["tracker"].append(n / append_tracker(store, f"long{r}", n))
            batch["peer"].append(n / append_peer(app, f"long{r}", n))
            batch["plain"].append(n / append_plain(plain, f"long{r}", n))
            single["tracker"].append(m / singles_tracker(store, f"single{r}", m))
            single["peer"].append(m / singles_peer(app, f"single{r}", m))
            single["plain"].append(m / singles_plain(plain, f"single{r}", m))
    finally:
        app.close()
        plain.close()
        tracker.close()
    return [
        shown(pg_figure(f"PostgreSQL batch append ({n:,} events, {BATCH:,} per transaction)",
                        "events/s", batch, "psycopg executemany")),
        shown(pg_figure(f"PostgreSQL single append ({m:,} per round)", "appends/s", single,
                        "psycopg commit loop")),
    ]  # fmt: skip


def pg_figure(name: str, unit: str, rates: dict[str, list[float]], limit_name: str) -> Figure:
    """A PostgreSQL rate figure: at least 1.2x the peer."""
    tracker, peer_, plain = medians(rates)
    checks = [Check("x peer", tracker / peer_, ">=", 1.2)]
    return Figure(name, unit, "rate", tracker, peer_, plain, limit_name, checks)


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
