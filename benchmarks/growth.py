"""Benchmark: work that must grow with its input, each shape measured through the command line
at two sizes, the larger four times the smaller, with the ratio of their figures (about 4 for
linear work, 16 for quadratic).

Usage: python benchmarks/growth.py [--quick] [--only chain|quotes|amended]

- chain: a chain of retractions (each retracting the one before), 5,000 and 20,000 links:
  `tracker import` into a new database, then `tracker verify` (target: both under 10 s at
  20,000).
- quotes: 9 source texts of 2 MiB cited in turn, 225 and 900 citations: `tracker import`, then
  `tracker sources verify` (target: under 5 s at 900).
- amended: one term amended 1,250 and 5,000 times: `tracker timeline` (table and JSON) and
  `tracker report` (target: under 5 s at 5,000), on a database the file was imported into.

Each command runs in its own process; its wall time, CPU time (user + system) and peak memory
are those of that process alone. --quick divides every size by four. The exit status is 0
whatever the figures: it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

CLI = [sys.executable, "-c", "from tracker.cli import main; main()"]
KNOWN_AT = "2099-01-01T00:00:00"


@dataclass(frozen=True, slots=True)
class Run:
    """One command's figures."""

    wall: float  # seconds
    cpu: float  # seconds, user + system
    rss: int  # peak resident memory, MiB


def run(*args: str) -> Run:
    """Run `tracker ARGS` in a new process, its output discarded; fail on a failure."""
    start = time.perf_counter()
    process = subprocess.Popen([*CLI, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"tracker {' '.join(args)} failed: {errors.strip()}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024)


def chain_file(folder: Path, links: int) -> Path:
    """An agreement whose event r{n} retracts r{n-1}, down to a term.set r0."""
    lines = [
        "agreement: chain\ntitle: Chain\nparties: [{name: A, role: a}]\nevents:\n",
        "  - {id: c, type: agreement.created, effective: 2020-01-01, title: Chain,"
        " parties: [{name: A, role: a}]}\n",
        "  - {id: r0, type: term.set, effective: 2020-01-02, term: t.k, summary: s}\n",
        *(
            f"  - {{id: r{n}, type: event.retracted, effective: 2020-01-03, target: r{n - 1},"
            " reason: wrong}\n"
            for n in range(1, links + 1)
        ),
    ]
    path = folder / "chain.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def quotes_file(folder: Path, sources: int, mib: float, citations: int) -> Path:
    """An agreement citing `sources` texts of `mib` MiB of random words in turn, each quote
    eight words of its source."""
    rng = random.Random(5)
    vocabulary = [f"w{n}" for n in range(5000)]
    texts = []
    for n in range(sources):
        words = rng.choices(vocabulary, k=int(mib * 1024 * 1024 / 6))
        (folder / f"s{n}.txt").write_text(" ".join(words), encoding="utf-8")
        texts.append(words)
    lines = [
        "agreement: quoted\ntitle: Quoted\nparties: [{name: A, role: a}]\nsources:\n",
        *(f"  - {{id: s{n}, title: S{n}, file: s{n}.txt}}\n" for n in range(sources)),
        "events:\n  - {id: c, type: agreement.created, effective: 2020-01-01, title: Quoted,"
        " parties: [{name: A, role: a}]}\n",
    ]
    for n in range(citations):
        words = texts[n % sources]
        at = rng.randrange(len(words) - 8)
        lines.append(
            f"  - {{id: n{n}, type: note.recorded, effective: 2020-01-02, note: n,"
            f" sources: [{{source: s{n % sources}, quote: '{' '.join(words[at : at + 8])}'}}]}}\n"
        )
    path = folder / "quoted.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def amended_file(folder: Path, amendments: int) -> Path:
    """One term set on 2000-01-01 and amended on each of the days after it."""
    day0 = dt.date(2000, 1, 1)
    lines = [
        "agreement: amended\ntitle: Amended\nparties: [{name: A, role: a}]\nevents:\n",
        f"  - {{id: c, type: agreement.created, effective: {day0}, title: Amended,"
        " parties: [{name: A, role: a}]}\n",
        f"  - {{id: s, type: term.set, effective: {day0}, term: price.unit, summary: Price 0,"
        " value: {usd: 0}}\n",
        *(
            f"  - {{id: a{n}, type: term.amended, effective: {day0 + dt.timedelta(days=n)},"
            f" term: price.unit, summary: Price {n}, changes: {{usd: {n}}}}}\n"
            for n in range(1, amendments + 1)
        ),
    ]
    path = folder / "amended.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def chain(folder: Path, size: int) -> dict[str, Run]:
    path, db = chain_file(folder, size), folder / "chain.db"
    return {
        "import": run("import", str(path), "--db", str(db)),
        "verify": run("verify", "--db", str(db)),
    }


def quotes(folder: Path, size: int, mib: float) -> dict[str, Run]:
    path, db = quotes_file(folder, 9, mib, size), folder / "quoted.db"
    return {
        "import": run("import", str(path), "--db", str(db)),
        "sources verify": run("sources", "verify", "quoted", "--db", str(db)),
    }


def amended(folder: Path, size: int) -> dict[str, Run]:
    db = folder / "amended.db"
    run("import", str(amended_file(folder, size)), "--db", str(db))
    read = ["amended", "--db", str(db), "--known-at", KNOWN_AT]
    return {
        "timeline (table)": run("timeline", *read, "--format", "table"),
        "timeline (json)": run("timeline", *read, "--format", "json"),
        "report": run("report", *read, "-o", str(folder / "r.html"), "--as-of", "2010-01-01"),
    }


def measure(
    name: str, unit: str, sizes: Sequence[int], target: float, work: Callable[..., dict[str, Run]]
) -> None:
    """Run `work` at each size in a new folder; print each figure and the ratios."""
    figures = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            figures.append(work(Path(folder), size))
    small, large = figures[0], figures[-1]
    print(f"\n{name} ({sizes[0]:,} and {sizes[-1]:,} {unit}; target at the larger: < {target} s)")
    for command in small:
        for size, figure in zip(sizes, figures, strict=True):
            f = figure[command]
            print(
                f"  {command:17} {size:>7,}: {f.wall:7.2f} s wall {f.cpu:7.2f} s cpu {f.rss:6,} MiB"
            )
        a, b = small[command], large[command]
        verdict = "MET" if b.wall < target else "NOT MET"
        cpu_verdict = "MET" if b.cpu < target else "NOT MET"
        print(
            f"  {command:17} ratio x{sizes[-1] / sizes[0]:.0f} size: wall {b.wall / a.wall:.1f},"
            f" cpu {b.cpu / a.cpu:.1f}, memory {b.rss / a.rss:.1f};"
            f" target {verdict} (by cpu {cpu_verdict})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="every size divided by four")
    parser.add_argument("--only", choices=["chain", "quotes", "amended"])
    args = parser.parse_args()
    q = 4 if args.quick else 1
    mib = 2 / q
    start = run("--version")  # what every figure includes: Python and click starting
    print(f"starting the command line: {start.wall:.2f} s wall {start.cpu:.2f} s cpu")
    if args.only in (None, "chain"):
        measure("chain of retractions", "links", [5000 // q, 20000 // q], 10, chain)
    if args.only in (None, "quotes"):
        work = lambda folder, size: quotes(folder, size, mib)  # noqa: E731
        measure(f"quotes of 9 sources of {mib:g} MiB", "citations", [225, 900], 5, work)
    if args.only in (None, "amended"):
        measure("one term amended", "times", [1250 // q, 5000 // q], 5, amended)


if __name__ == "__main__":
    main()
