"""Benchmarks for the tracker's performance targets.

Usage: python benchmarks/bench.py [--quick]

Builds SQLite files in a temporary directory through the tracker's public code and prints one
line per measurement (figure, target, MET / NOT MET), then a summary table. `--quick` builds
1,000 agreements instead of 10,000 for the state-latency measurement.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

import pydantic
import sqlalchemy as sa

from tracker.core.events import AgreementCreated, Event, Party, TermSet
from tracker.core.projector import project
from tracker.service import Tracker
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.log import EventStore

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "events" / "microsoft-openai.yaml"
START = dt.date(2000, 1, 1)
LATE = dt.date(2099, 12, 31)
BATCH_EVENTS = 100_000
BATCH_SIZE = 1_000
SINGLE_APPENDS = 2_000
REPLAY_RUNS = 3
EVENTS_PER_AGREEMENT = 100
STATE_SAMPLES = 200
COLD_RUNS = 7

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Result:
    """One measurement against its target."""

    name: str
    figure: float
    unit: str
    target: float
    higher_is_better: bool
    digits: int = 0

    @property
    def met(self) -> bool:
        """Whether the figure reaches the target."""
        if self.higher_is_better:
            return self.figure >= self.target
        return self.figure <= self.target

    def cells(self) -> tuple[str, str, str, str]:
        """The measurement as table cells: name, figure, target, status."""
        sign = ">=" if self.higher_is_better else "<="
        figure = f"{self.figure:,.{self.digits}f} {self.unit}"
        target = f"{sign} {self.target:,.{self.digits}f} {self.unit}"
        return self.name, figure, target, "MET" if self.met else "NOT MET"

    def line(self) -> str:
        """The measurement as one printed line."""
        name, figure, target, status = self.cells()
        return f"{name}: {figure} (target {target}) {status}"


def info(text: str) -> None:
    """Print a detail that is not itself measured against a target."""
    print(f"    {text}", flush=True)


def report(result: Result) -> Result:
    """Print a measurement's line and hand it back."""
    print(result.line(), flush=True)
    return result


def open_store(path: Path) -> EventStore:
    """A store over a new, migrated SQLite file at `path`."""
    engine = create_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    return EventStore(engine)


def sqlite_settings(store: EventStore) -> str:
    """The journal mode and synchronous level the store's engine connections use."""
    with store.engine.connect() as conn:
        journal = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={journal}, synchronous={levels.get(int(sync or 0), sync)}"


def created(agreement: str) -> AgreementCreated:
    """The agreement.created event that opens an agreement's log."""
    parties = (Party(name="Alpha", role="licensor"), Party(name="Beta", role="licensee"))
    return AgreementCreated(
        id=f"{agreement}-0",
        agreement=agreement,
        effective=START,
        title=f"Agreement {agreement}",
        parties=parties,
    )


def term_set(agreement: str, n: int, keys: int, per_day: int) -> TermSet:
    """The n-th term.set of an agreement: one of `keys` terms, dates rising every `per_day`."""
    return TermSet(
        id=f"{agreement}-{n}",
        agreement=agreement,
        effective=START + dt.timedelta(days=n // per_day),
        term=f"terms.t{n % keys:02d}",
        summary=f"Term {n % keys} as set by event {n}",
        value={"amount": n, "currency": "USD", "share": 0.2},
        certainty="reported",
    )


def stream(agreement: str, count: int, keys: int, per_day: int) -> list[Event]:
    """An agreement.created then term.set events: `count` events in all."""
    events: list[Event] = [created(agreement)]
    events.extend(term_set(agreement, n, keys, per_day) for n in range(1, count))
    return events


def timed_call(action: Callable[[], T]) -> tuple[T, float]:
    """The action's result and the seconds it took (garbage collected beforehand, gc on)."""
    gc.collect()
    start = time.perf_counter()
    value = action()
    return value, time.perf_counter() - start


def timed(action: Callable[[], object]) -> float:
    """Seconds the action takes (garbage collected beforehand, left enabled)."""
    return timed_call(action)[1]


def bench_batch_append(workdir: Path) -> tuple[Result, EventStore]:
    """Append 100,000 events to one agreement, 1,000 per append call."""
    store = open_store(workdir / "batch.db")
    events = stream("long", BATCH_EVENTS, keys=50, per_day=10)

    def append_all() -> None:
        """Append every batch, one call each."""
        for start in range(0, len(events), BATCH_SIZE):
            store.append("long", events[start : start + BATCH_SIZE])

    seconds = timed(append_all)
    info(f"{len(events):,} events in {seconds:.2f} s ({len(events) // BATCH_SIZE} appends)")
    rate = len(events) / seconds
    return report(Result("batch append", rate, "events/s", 50_000, True)), store


def bench_single_append(workdir: Path) -> Result:
    """Append events one per transaction, each with expected_version."""
    store = open_store(workdir / "single.db")
    store.append("single", [created("single")])
    events = [term_set("single", n, 20, 1) for n in range(1, SINGLE_APPENDS + 1)]

    def append_each() -> None:
        """Append every event, one call (and one transaction) each."""
        for version, event in enumerate(events, start=1):
            store.append("single", [event], expected_version=version)

    seconds = timed(append_each)
    info(f"{len(events):,} appends in {seconds:.2f} s; durable commits: {sqlite_settings(store)}")
    return report(Result("single append", len(events) / seconds, "appends/s", 5_000, True))


def bench_replay(store: EventStore) -> Result:
    """Read the 100,000-event agreement and fold it as of a late date; median of 3 runs."""
    reads: list[float] = []
    folds: list[float] = []
    for _ in range(REPLAY_RUNS):
        records, read = timed_call(lambda: store.read("long"))
        reads.append(read)
        folds.append(timed(partial(project, "long", records, LATE)))
        del records
    totals = [r + f for r, f in zip(reads, folds, strict=True)]
    info(
        f"read {statistics.median(reads):.3f} s, fold {statistics.median(folds):.3f} s "
        f"(medians); totals {', '.join(f'{t:.3f}' for t in totals)} s"
    )
    return report(Result("replay 100k events", statistics.median(totals), "s", 0.6, False, 3))


def build_many(store: EventStore, agreements: Sequence[str]) -> float:
    """Append EVENTS_PER_AGREEMENT events to each agreement (one append call each); seconds."""
    start = time.perf_counter()
    for name in agreements:
        store.append(name, stream(name, EVENTS_PER_AGREEMENT, keys=10, per_day=1))
    return time.perf_counter() - start


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) of the values, nearest rank."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[rank]


def bench_state(workdir: Path, count: int) -> Result:
    """State latency of one 100-event agreement among `count` agreements."""
    store = open_store(workdir / "many.db")
    names = [f"agreement-{i:05d}" for i in range(count)]
    seconds = build_many(store, names)
    total = count * EVENTS_PER_AGREEMENT
    info(
        f"built {count:,} agreements x {EVENTS_PER_AGREEMENT} = {total:,} events "
        f"in {seconds:.1f} s ({total / seconds:,.0f} events/s, one append per agreement)"
    )
    tracker = Tracker(store)
    picks = random.Random(42).choices(names, k=STATE_SAMPLES)
    for name in picks[:10]:
        tracker.state(name, LATE)
    samples = [timed(partial(tracker.state, name, LATE)) * 1000 for name in picks]
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    info(f"{STATE_SAMPLES} samples: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max(samples):.2f} ms")
    return report(Result(f"state p50 ({count:,} agreements)", p50, "ms", 1.0, False, 2))


def cold_env(workdir: Path) -> dict[str, str]:
    """The environment for start-up runs: bytecode cached (as in an installed package), but
    under `workdir`, so that nothing is written beside the sources; no database override."""
    dropped = {"TRACKER_DATABASE_URL", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPYCACHEPREFIX"] = str(workdir / "pycache")
    return env


def run_once(args: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of a command (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def cold_times(
    commands: dict[str, list[str]], env: dict[str, str], runs: int
) -> dict[str, tuple[float, float]]:
    """Best and median seconds of each command, run in interleaved rounds (so that load on the
    machine hits them alike) after one unmeasured warm-up round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, args in commands.items():
            seconds = run_once(args, env)
            if round_:
                times[name].append(seconds)
    return {name: (min(t), statistics.median(t)) for name, t in times.items()}


def shipped_db(workdir: Path, tracker_cli: str) -> str:
    """A SQLite URL of a file holding the shipped record, imported through the CLI."""
    url = f"sqlite:///{workdir / 'record.db'}"
    subprocess.run(
        [tracker_cli, "import", str(RECORD), "--db", url],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return url


def check_state_command(args: Sequence[str]) -> None:
    """Fail loudly unless the state command prints the shipped agreement as JSON."""
    output = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    state = json.loads(output)
    if state.get("agreement") != "microsoft-openai" or not state.get("terms"):
        raise SystemExit(f"unexpected output from {' '.join(args)}: {output[:200]}")


def bench_cold_start(workdir: Path) -> list[Result]:
    """Start-up time of `tracker state` and `tracker --help` against importing the libraries."""
    tracker_cli = str(Path(sys.executable).parent / "tracker")
    url = shipped_db(workdir, tracker_cli)
    state = [
        tracker_cli,
        "state",
        "microsoft-openai",
        "--as-of",
        "2025-01-21",
        "--format",
        "json",
        "--db",
        url,
    ]
    check_state_command(state)
    commands = {
        "baseline": [sys.executable, "-c", "import sqlalchemy, pydantic, click"],
        "state": state,
        "--help": [tracker_cli, "--help"],
    }
    timings = cold_times(commands, cold_env(workdir), COLD_RUNS)
    info("bytecode cached under the temporary directory (PYTHONPYCACHEPREFIX), as installed")
    base_best = timings["baseline"][0]
    for name, (best, median) in timings.items():
        info(
            f"{name}: best {best * 1000:.0f} ms ({best / base_best:.2f}x best baseline), "
            f"median {median * 1000:.0f} ms ({COLD_RUNS} interleaved runs)"
        )
    return [ratio(timings, "state", 1.3), ratio(timings, "--help", 0.5)]


def ratio(timings: dict[str, tuple[float, float]], name: str, target: float) -> Result:
    """A command's median start-up time as a multiple of the baseline's median."""
    figure = timings[name][1] / timings["baseline"][1]
    return report(Result(f"cold start: {name}", figure, "x baseline", target, False, 2))


def print_summary(results: Sequence[Result]) -> None:
    """The results as an aligned table."""
    rows = [("measurement", "figure", "target", "status"), *(r.cells() for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    print("\nSummary")
    for number, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))


def print_environment(quick: bool) -> None:
    """The interpreter, library versions and machine the figures come from."""
    print(f"tracker benchmarks ({'quick' if quick else 'full'} mode)")
    print(
        f"Python {sys.version.split()[0]}, SQLAlchemy {sa.__version__}, pydantic "
        f"{pydantic.VERSION}, SQLite {sqlite3.sqlite_version}, {os.cpu_count()} CPUs\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run every benchmark; exit status 0 when all targets are met, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="1,000 agreements, not 10,000")
    quick = parser.parse_args(argv).quick
    print_environment(quick)
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        workdir = Path(tmp)
        batch, long_store = bench_batch_append(workdir)
        results = [batch, bench_single_append(workdir), bench_replay(long_store)]
        results.append(bench_state(workdir, 1_000 if quick else 10_000))
        results.extend(bench_cold_start(workdir))
    print_summary(results)
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
