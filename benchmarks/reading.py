"""The figures of reading on SQLite: peak memory, replay with a snapshot, the state of one
agreement among many, and one term across all of them."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from figures import Check, Figure, Missing, Result, info, shown
from workload import (
    LATE,
    Sizes,
    median,
    medians,
    percentile,
    reader,
    timed,
    without_snapshots,
    writer,
)
from writes import Files, build_long, build_many, url_of

from tracker.service import Tracker

HERE = Path(__file__).resolve().parent
TERMS_KEY = "terms.t03"


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
        without_snapshots(here.tracker)  # a whole replay, as the peer's
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
