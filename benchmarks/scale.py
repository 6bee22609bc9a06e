"""Benchmark: the tracker at scale on PostgreSQL, read by many processes while one writes.

Usage: python benchmarks/scale.py --postgres URL [--agreements 100000] [--per 100]
           [--readers 8] [--seconds 60] [--alone 10] [--rounds 3] [--loaders N]
           [--json FILE] [--database NAME] [--keep] [--reuse]

URL names a server where the run creates a database of its own (NAME, by default
tracker_scale_<agreements>x<per>) and drops it at the end, unless --keep; --reuse runs on a
kept one, loading only the agreements it lacks. In order:

1. Load: AGREEMENTS agreements of PER events each (bench.py's shape: a creation, then term.sets
   of 10 terms, one a day, citing the source stored with the creation), each agreement one
   append through the store, so one transaction writing its events and its term index with
   COPY and its stored answers, from LOADERS processes at once; then VACUUM ANALYZE, as after
   any bulk load. The first and the last agreement's hash chains are verified.
2. Disk: pg_total_relation_size of every table (heap, TOAST and indexes), over the events.
3. Alone, ALONE seconds each: `Tracker.state` of a random agreement on a random day of its
   log, in one process; then single `Tracker.append`s, each one term.set to a random agreement.
4. Under load: READERS processes each loop over those states while one writer process loops
   over those appends, each process with a `Tracker` of its own; their latencies are recorded
   for SECONDS. Then, with them still running, `terms KEY` across the agreements on a late day
   (KEY is terms.t03, which every agreement has): the warm `Tracker.terms`, and the command
   `tracker terms KEY --format json` in a new process, each the median of ROUNDS.
5. The same `terms` figures alone.

The targets (issue 25, for 100,000 agreements x 100 events): state p99 < 10 ms and single
append p99 < 20 ms under the readers; terms across the agreements < 1 s; at most 600 bytes per
event, indexes included. The figures are printed as Markdown tables, each with its target and
whether it is met, and written to FILE as JSON. It runs for minutes at 1,000 agreements and
for an hour or more at the full size, so it is not part of CI; its exit status is 0 whatever
the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import multiprocessing as mp
import os
import platform
import queue
import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any, Literal

import msgspec
from terms import KEY, cold, warm
from workload import (
    START,
    STORED_SOURCE,
    content,
    percentile,
    reader,
    term_event,
    timed,
    tracker_events,
    writer,
)

from tracker.core.events import Batch

KEYS = 10  # the terms of each agreement, one changed a day (bench.py's many-agreement shape)
HOLD, RECORD, STOP = 0, 1, 2  # what the timed loops are told: run, run and record, stop
PROGRESS = 30.0  # seconds between the load's progress lines
ANALYZE_EVERY = 5_000  # agreements loaded between two ANALYZEs of the tables
STARTUP = 300.0  # seconds the worker processes may take to open their trackers and warm up
SIZES = (
    "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c"
    " JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 2 DESC, 1"
)
SETTINGS = ("server_version", "shared_buffers", "synchronous_commit", "max_wal_size", "work_mem",
            "autovacuum")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Scale:
    """How much the run loads and measures."""

    agreements: int
    per: int
    readers: int
    seconds: float
    alone: float
    rounds: int
    loaders: int


def agreement_name(n: int) -> str:
    """The n-th agreement's id."""
    return f"agreement-{n:06d}"


# ---- the database


def database_url(admin_url: str, name: str) -> str:
    """The URL of database `name` on the server of `admin_url`."""
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@contextmanager
def scale_database(admin_url: str, name: str, *, reuse: bool, keep: bool) -> Iterator[str]:
    """The URL of database `name` on the server of `admin_url`: created here (or, with
    `reuse`, the kept one, when there is one) and dropped on leaving unless `keep`."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchall()
        if exists and not reuse:
            raise SystemExit(f"database {name} exists: run with --reuse, or drop it")
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield database_url(admin_url, name)
    finally:
        if not keep:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(drop.format(sql.Identifier(name)))


def server(url: str) -> dict[str, str]:
    """The server's version and the settings that bear on the figures."""
    import psycopg

    with psycopg.connect(url) as conn:
        return {name: str(conn.execute(f"SHOW {name}").fetchall()[0][0]) for name in SETTINGS}


def analyze(url: str) -> None:
    """ANALYZE the database: fresh statistics, and the plans prepared on stale ones
    replanned."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def vacuum_analyze(url: str) -> None:
    """VACUUM ANALYZE the database, as after any bulk load: the planner would otherwise plan
    on the empty tables' statistics until autovacuum, where it runs, caught up with them
    (perhaps in the middle of the measurements)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


# ---- 1. load


@dataclass(frozen=True, slots=True)
class Load:
    """What loading did: agreements and events appended, by how many processes, in how long;
    the agreements already there; VACUUM ANALYZE's seconds; the sample verify checked."""

    agreements: int
    events: int
    loaders: int
    seconds: float
    present: int
    vacuum_seconds: float
    verified: str

    @property
    def rate(self) -> float | None:
        """Events appended per second."""
        return self.events / self.seconds if self.seconds else None


def load_part(url: str, numbers: Sequence[int], per: int, done: Any, ready: Barrier) -> None:
    """A loader process: once its tracker is open and an append rehearsed (the code it runs
    loaded), append each of these agreements whole, one `EventStore.append` each, as new
    (expected version 0); `done` counts the agreements appended."""
    with writer(url) as tracker:
        first = agreement_name(numbers[0])
        events = tracker_events(first, 0, per, KEYS, 1)
        tracker.store.rehearse([Batch(first, events, (STORED_SOURCE,))])
        ready.wait()
        for n in numbers:
            name = agreement_name(n)
            events = tracker_events(name, 0, per, KEYS, 1)
            tracker.store.append(name, events, expected_version=0, sources=[STORED_SOURCE])
            with done.get_lock():
                done.value += 1


def load(url: str, scale: Scale) -> Load:
    """Append the agreements the database lacks, from `scale.loaders` processes (each takes
    every loaders-th agreement, so they are appended about in order), timed from when every
    loader is ready; then VACUUM ANALYZE."""
    with writer(url) as tracker:  # migrated here, before the loaders open it
        present = set(tracker.store.agreements())
    missing = [n for n in range(scale.agreements) if agreement_name(n) not in present]
    loaders = max(1, min(scale.loaders, len(missing)))
    ctx = mp.get_context("spawn")
    done = ctx.Value("q", 0)
    parts = [missing[i::loaders] for i in range(loaders)] if missing else []
    ready = ctx.Barrier(len(parts) + 1)
    processes = [
        ctx.Process(target=load_part, args=(url, part, scale.per, done, ready)) for part in parts
    ]
    for process in processes:
        process.start()
    if parts:
        ready.wait(timeout=STARTUP)
    start = time.perf_counter()
    watch(url, processes, done, len(missing), scale.per, start)
    seconds = time.perf_counter() - start if missing else 0.0
    vacuum = timed(lambda: vacuum_analyze(url)) if missing else 0.0
    verified = verify_sample(url, scale.agreements)
    return Load(len(missing), len(missing) * scale.per, loaders if missing else 0, seconds,
                len(present), vacuum, verified)  # fmt: skip


def watch(
    url: str, processes: Sequence[SpawnProcess], done: Any, total: int, per: int, start: float
) -> None:
    """Wait for the loaders, printing their progress every PROGRESS seconds and analyzing
    the tables every ANALYZE_EVERY agreements; raise if one failed. (Autovacuum's analyze
    does this where it runs; without it the planner keeps the empty tables' statistics, and
    the loaders' prepared statements their first plans, sequential scans of tables that grow:
    the load slowed from 11,000 to 2,700 events/s by 7M events.)"""
    shown, analyzed = start, 0
    while any(p.is_alive() for p in processes):
        time.sleep(0.5)
        if done.value - analyzed >= ANALYZE_EVERY:
            analyzed = done.value
            analyze(url)
        now = time.perf_counter()
        if now - shown >= PROGRESS and done.value:
            shown, count = now, done.value
            rate = count * per / (now - start)
            left = (total - count) * per / rate
            print(f"    loaded {count:,} of {total:,} agreements, {rate:,.0f} events/s, "
                  f"about {left:,.0f} s to go", flush=True)  # fmt: skip
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} loader(s) failed (exit status {failed[0]})")


def verify_sample(url: str, agreements: int) -> str:
    """Verify the hash chains of the first and the last agreement (what `tracker verify
    AGREEMENT` checks): the loaded rows are the store's own."""
    names = [agreement_name(0), agreement_name(agreements - 1)]
    with reader(url) as tracker:
        checked = sum(tracker.verify(name) for name in names)
    return f"{' and '.join(names)}: {checked} events, hash chains intact"


# ---- 2. disk


@dataclass(frozen=True, slots=True)
class Disk:
    """Each table's bytes on disk (heap, TOAST and indexes), and the events they hold."""

    tables: dict[str, int]
    events: int

    @property
    def total(self) -> int:
        """The bytes of every table."""
        return sum(self.tables.values())

    def per_event(self, size: int) -> float:
        """Bytes per event."""
        return size / self.events if self.events else float("nan")


def disk(url: str) -> Disk:
    """The tables' sizes and the events' number, now."""
    import psycopg

    with psycopg.connect(url) as conn:
        tables = {str(name): int(size) for name, size in conn.execute(SIZES)}
        (events,) = conn.execute("SELECT count(*) FROM events").fetchone() or (0,)
    return Disk(tables, int(events))


# ---- 3 and 4: the timed loops


def timed_loop(kind: str, action: Callable[[], object], phase: Any, ready: Barrier,
               out: Queue[Any]) -> None:  # fmt: skip
    """Run `action` once (connections opened, code loaded), wait for the others, then over
    and over until `phase` says STOP; put the milliseconds of each begun while it said
    RECORD on `out`."""
    action()
    ready.wait()
    times: list[float] = []
    while (now := phase.value) != STOP:
        start = time.perf_counter()
        action()
        if now == RECORD:
            times.append((time.perf_counter() - start) * 1000)
    out.put((kind, times))


def read_states(url: str, agreements: int, per: int, seed: int, phase: Any, ready: Barrier,
                out: Queue[Any]) -> None:  # fmt: skip
    """A reader process: `Tracker.state` of a random agreement on a random day of its log,
    on a tracker of its own opened as a read command opens it."""
    pick = random.Random(seed)
    with reader(url) as tracker:

        def state() -> None:
            day = START + dt.timedelta(days=pick.randrange(per))
            tracker.state(agreement_name(pick.randrange(agreements)), day)

        timed_loop("state", state, phase, ready, out)


def append_singles(url: str, agreements: int, per: int, seed: int, phase: Any, ready: Barrier,
                   out: Queue[Any]) -> None:  # fmt: skip
    """The writer process: `Tracker.append` of one term.set (a durable transaction each) to
    a random agreement, dated a day after the writer's one before, from the day after the
    loaded logs; ids are this run's own, so that a reused database takes them as new."""
    pick = random.Random(seed)
    stamp = f"w{os.getpid()}-{int(time.time())}"
    days = itertools.count(per)
    with writer(url) as tracker:

        def append() -> None:
            name, n = agreement_name(pick.randrange(agreements)), next(days)
            event = term_event(name, n, content(n, KEYS, 1))
            tracker.append(name, [msgspec.structs.replace(event, id=f"{name}-{stamp}-{n}")])

        timed_loop("append", append, phase, ready, out)


@dataclass(slots=True)
class Crew:
    """Worker processes in timed loops, told by `phase` when to record and when to stop;
    their latencies in ms, by kind ("state", "append"), once they stopped."""

    processes: list[SpawnProcess]
    phase: Any
    out: Queue[Any]
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def record(self, seconds: float) -> None:
        """Have the workers record their latencies for `seconds`, then go on without."""
        self.phase.value = RECORD
        time.sleep(seconds)
        self.phase.value = HOLD

    def stop(self) -> None:
        """Stop the workers and gather what they recorded."""
        self.phase.value = STOP
        for _ in self.processes:
            kind, times = self._result()
            self.latencies.setdefault(kind, []).extend(times)
        for process in self.processes:
            process.join()

    def _result(self) -> tuple[str, list[float]]:
        """The next worker's latencies (a worker that died has none to give: an error)."""
        while True:
            try:
                kind, times = self.out.get(timeout=1)
                return str(kind), list(times)
            except queue.Empty:
                dead = [p.exitcode for p in self.processes if p.exitcode not in (None, 0)]
                if dead:
                    raise RuntimeError(f"a worker failed (exit status {dead[0]})") from None


@contextmanager
def crew(url: str, scale: Scale, readers: int, writing: bool) -> Iterator[Crew]:
    """`readers` reader processes and, when `writing`, the writer, each warmed up and
    running (not recording) once this is entered; stopped on leaving."""
    ctx = mp.get_context("spawn")
    phase = ctx.RawValue("i", HOLD)
    ready = ctx.Barrier(readers + int(writing) + 1)
    out: Queue[Any] = ctx.Queue()
    loops = [(read_states, seed) for seed in range(readers)]
    loops += [(append_singles, readers)] if writing else []
    processes = [
        ctx.Process(target=loop, args=(url, scale.agreements, scale.per, seed, phase, ready, out))
        for loop, seed in loops
    ]
    for process in processes:
        process.start()
    team = Crew(processes, phase, out)
    try:
        ready.wait(timeout=STARTUP)
        yield team
    finally:
        try:
            team.stop()
        finally:
            for process in processes:
                if process.is_alive():
                    process.terminate()


def alone(url: str, scale: Scale, readers: int, writing: bool) -> dict[str, list[float]]:
    """Latencies of a crew recording for `scale.alone` seconds, nothing else running."""
    with crew(url, scale, readers, writing) as team:
        team.record(scale.alone)
    return team.latencies


# ---- terms


@dataclass(frozen=True, slots=True)
class Terms:
    """`terms KEY` across the agreements: warm `Tracker.terms` and the command in a new
    process, medians in ms, and the agreements answered."""

    warm_ms: float
    command_ms: float
    answered: int


def time_terms(url: str, rounds: int) -> Terms:
    """Time `terms KEY` as terms.py does, on the database at `url`."""
    warm_ms, answered = warm(url, rounds)
    return Terms(warm_ms, cold(url, rounds), answered)


# ---- the figures


@dataclass(frozen=True, slots=True)
class Target:
    """A bound a figure must stay under."""

    op: Literal["<", "<="]
    bound: float

    def met(self, value: float) -> bool:
        """Whether the value keeps to the bound."""
        return value < self.bound if self.op == "<" else value <= self.bound


@dataclass(frozen=True, slots=True)
class Row:
    """One figure of the table: its value, unit and target."""

    figure: str
    value: float | None
    unit: str
    target: Target | None = None
    digits: int = 1

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None without a target or a value)."""
        if self.target is None or self.value is None:
            return None
        return self.target.met(self.value)

    def cells(self) -> tuple[str, str, str, str]:
        """The row as table cells: figure, value, target, met."""
        value = "-" if self.value is None else f"{self.value:,.{self.digits}f} {self.unit}"
        target = (
            "-" if self.target is None else f"{self.target.op} {self.target.bound:g} {self.unit}"
        )
        met = {None: "-", True: "yes", False: "no"}[self.met]
        return self.figure, value, target, met


def quantiles(name: str, where: str, times: Sequence[float], target: Target | None) -> list[Row]:
    """The p50 and p99 of some latencies (ms), the target on the p99."""
    p50 = percentile(times, 50) if times else None
    p99 = percentile(times, 99) if times else None
    return [Row(f"{name} p50, {where}", p50, "ms", digits=2),
            Row(f"{name} p99, {where}", p99, "ms", target, 2)]  # fmt: skip


def latency_rows(
    scale: Scale, busy: dict[str, list[float]], quiet: dict[str, list[float]]
) -> list[Row]:
    """State and append latencies, under the readers and alone."""
    under = f"{scale.readers} readers + writer"
    return [
        *quantiles("`state`", under, busy.get("state", []), Target("<", 10)),
        *quantiles("single append", under, busy.get("append", []), Target("<", 20)),
        *quantiles("`state`", "one reader alone", quiet.get("state", []), None),
        *quantiles("single append", "alone", quiet.get("append", []), None),
    ]


def terms_rows(agreements: int, busy: Terms, quiet: Terms) -> list[Row]:
    """`terms KEY` across the agreements, under the readers and alone."""
    second = Target("<", 1000)
    across = f"`terms {KEY}` across {agreements:,}"
    return [
        Row(f"{across}, `Tracker.terms` warm, under the readers", busy.warm_ms, "ms", second, 0),
        Row(f"{across}, command in a new process, under the readers", busy.command_ms, "ms",
            second, 0),
        Row(f"{across}, `Tracker.terms` warm, alone", quiet.warm_ms, "ms", second, 0),
        Row(f"{across}, command in a new process, alone", quiet.command_ms, "ms", second, 0),
    ]  # fmt: skip


def other_rows(
    loaded: Load, space: Disk, busy: dict[str, list[float]], seconds: float
) -> list[Row]:
    """Disk per event, load time and rate, and how much the crew did under load."""
    return [
        Row("disk bytes per event, indexes included", space.per_event(space.total), "B",
            Target("<=", 600), 0),
        Row(f"load of {loaded.events:,} events ({loaded.loaders} processes)", loaded.seconds,
            "s"),
        Row("load rate", loaded.rate, "events/s", digits=0),
        Row("VACUUM ANALYZE after the load", loaded.vacuum_seconds, "s"),
        Row("states under load", len(busy.get("state", [])) / seconds, "/s", digits=0),
        Row("appends under load", len(busy.get("append", [])) / seconds, "/s", digits=0),
    ]  # fmt: skip


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def table_sizes(space: Disk) -> str:
    """Each table's bytes and bytes per event, as a Markdown table."""
    rows = [
        (name, f"{size:,}", f"{space.per_event(size):,.1f}")
        for name, size in [*space.tables.items(), ("all tables", space.total)]
    ]
    return markdown(("table", "bytes", "bytes per event"), rows)


# ---- the run


def about(args: argparse.Namespace, scale: Scale, settings: dict[str, str]) -> dict[str, Any]:
    """The run's sizes, versions and machine, printed and written with the figures."""
    from importlib.metadata import version

    return {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scale": asdict(scale),
        "key": KEY,
        "database": args.database,
        "python": sys.version.split()[0],
        "sqlalchemy": version("sqlalchemy"),
        "psycopg": version("psycopg"),
        "postgresql": settings,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": os.getloadavg()[0],
    }


def print_about(run: dict[str, Any]) -> None:
    """What the figures come from."""
    s = run["scale"]
    pg = run["postgresql"]
    print(
        f"tracker scale benchmark, {run['started']}: {s['agreements']:,} agreements x "
        f"{s['per']} events; {s['readers']} readers and a writer for {s['seconds']:g} s"
    )
    print(f"Python {run['python']}, SQLAlchemy {run['sqlalchemy']}, psycopg {run['psycopg']}, "
          f"PostgreSQL {pg['server_version']} (shared_buffers {pg['shared_buffers']}, "
          f"synchronous_commit {pg['synchronous_commit']}, autovacuum {pg['autovacuum']}), "
          f"{run['machine']}, load average {run['load_average']:.2f}\n", flush=True)  # fmt: skip


def measure(url: str, scale: Scale) -> dict[str, Any]:
    """Load, then every figure (see the module's docstring), printing each phase."""
    print("loading...", flush=True)
    loaded = load(url, scale)
    print(f"    {loaded.events:,} events in {loaded.seconds:,.1f} s ({loaded.present:,} "
          f"agreements were there); verified {loaded.verified}", flush=True)  # fmt: skip
    space = disk(url)
    print(f"disk: {space.per_event(space.total):,.0f} bytes per event", flush=True)
    print(f"alone: one reader, then the writer, {scale.alone:g} s each...", flush=True)
    quiet = alone(url, scale, 1, False) | alone(url, scale, 0, True)
    print(f"under load: {scale.readers} readers and the writer, {scale.seconds:g} s...", flush=True)
    with crew(url, scale, scale.readers, True) as team:
        team.record(scale.seconds)
        print(f"terms {KEY}, under the readers...", flush=True)
        terms_busy = time_terms(url, scale.rounds)
    print(f"terms {KEY}, alone...", flush=True)
    terms_quiet = time_terms(url, scale.rounds)
    rows = [
        *latency_rows(scale, team.latencies, quiet),
        *terms_rows(scale.agreements, terms_busy, terms_quiet),
        *other_rows(loaded, space, team.latencies, scale.seconds),
    ]
    return {"load": asdict(loaded), "disk": asdict(space), "terms_under_load": asdict(terms_busy),
            "terms_alone": asdict(terms_quiet), "rows": rows}  # fmt: skip


def report(run: dict[str, Any], figures: dict[str, Any], path: Path) -> None:
    """Print the figures as Markdown tables and write them, with the run, as JSON."""
    rows: list[Row] = figures.pop("rows")
    print("\n" + markdown(("figure", "measured", "target", "met"), [r.cells() for r in rows]))
    print("\n" + table_sizes(Disk(**figures["disk"])))
    figures["figures"] = [{**asdict(r), "met": r.met} for r in rows]
    path.write_text(json.dumps({**run, **figures}, indent=2) + "\n")
    print(f"\nresults written to {path}")


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--postgres",
        required=True,
        metavar="URL",
        help="a server where the run may create and drop a database",
    )
    parser.add_argument("--agreements", type=int, default=100_000)
    parser.add_argument("--per", type=int, default=100, help="events per agreement")
    parser.add_argument("--readers", type=int, default=8, help="reader processes")
    parser.add_argument("--seconds", type=float, default=60, help="the measured phase")
    parser.add_argument("--alone", type=float, default=10, help="each phase run alone")
    parser.add_argument("--rounds", type=int, default=3, help="timings of terms, each way")
    parser.add_argument(
        "--loaders",
        type=int,
        default=min(4, os.cpu_count() or 1),
        help="processes appending the agreements (one writes at a time: a few are enough)",
    )
    parser.add_argument("--json", type=Path, default=Path("scale-results.json"), metavar="FILE")
    parser.add_argument(
        "--database",
        metavar="NAME",
        help="the database's name (default tracker_scale_<agreements>x<per>)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run on the kept database, loading only the agreements it lacks",
    )
    args = parser.parse_args(argv)
    args.database = args.database or f"tracker_scale_{args.agreements}x{args.per}"
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and report it; 0 unless the benchmark itself fails."""
    args = arguments(argv)
    scale = Scale(args.agreements, args.per, args.readers, args.seconds, args.alone,
                  args.rounds, args.loaders)  # fmt: skip
    started = time.perf_counter()
    with scale_database(args.postgres, args.database, reuse=args.reuse, keep=args.keep) as url:
        run = about(args, scale, server(url))
        print_about(run)
        figures = measure(url, scale)
    run["seconds"] = round(time.perf_counter() - started, 1)
    print(f"\nran for {run['seconds']:,.0f} s")
    report(run, figures, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
