"""Benchmark: what one append and one import cost as logs grow, through the public API.

Usage: python benchmarks/appends.py [--sizes 1000 10000 100000] [--imports 1000 2000 5000]

1. Single appends through `Tracker.append`: an agreement's log is built to each size (term.set
   events on 20 terms), then SINGLES term.amended events (the kind whose rules read the log)
   are appended one call each; the figure is milliseconds per append. Flat in the log's length
   is the target.
2. Imports through `Tracker.import_files`: one agreement file creating an agreement, setting
   one term and amending it N times; the figure is seconds, and microseconds per amendment.
   Linear is the target: the per-amendment cost stays within noise as N grows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from tracker.core.events import AgreementCreated, Event, Party, TermAmended, TermSet
from tracker.service import Tracker

START = dt.date(2000, 1, 1)
SINGLES = 200
KEYS = 20
BATCH = 1000


def created(agreement: str) -> AgreementCreated:
    parties = (Party(name="Alpha", role="licensor"), Party(name="Beta", role="licensee"))
    return AgreementCreated(
        id=f"{agreement}-0", agreement=agreement, effective=START, title=agreement, parties=parties
    )


def term_set(agreement: str, n: int) -> TermSet:
    return TermSet(
        id=f"{agreement}-{n}",
        agreement=agreement,
        effective=START + dt.timedelta(days=n // 10),
        term=f"terms.t{n % KEYS:02d}",
        summary=f"set by event {n}",
        value={"amount": n},
    )


def amended(agreement: str, n: int, day: dt.date) -> TermAmended:
    return TermAmended(
        id=f"{agreement}-a{n}",
        agreement=agreement,
        effective=day,
        term=f"terms.t{n % KEYS:02d}",
        changes={"amount": n},
    )


def singles(tracker: Tracker, size: int) -> tuple[float, float, float]:
    """Milliseconds per Tracker.append of one amendment, on a log of `size` events: the
    median, the mean and the slowest (the append that rebuilds the snapshot pays for it)."""
    agreement = f"log{size}"
    tracker.append(agreement, [created(agreement)])
    for first in range(1, size, BATCH):
        events: list[Event] = [
            term_set(agreement, n) for n in range(first, min(first + BATCH, size))
        ]
        tracker.store.append(agreement, events)
    last = START + dt.timedelta(days=size // 10 + 1)
    times = []
    for n in range(SINGLES):
        start = time.perf_counter()
        tracker.append(agreement, [amended(agreement, n, last)])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), statistics.fmean(times), max(times)


def amendment_file(path: Path, count: int) -> None:
    """An agreement file: created, one term set, then `count` amendments of it, a day apart."""
    agreement = f"imported{count}"
    parties = [{"name": "Alpha", "role": "licensor"}, {"name": "Beta", "role": "licensee"}]
    events = [
        {"id": f"i{count}-created", "type": "agreement.created", "effective": START.isoformat(),
         "title": f"{count} amendments", "parties": [dict(p) for p in parties]},
        {"id": f"i{count}-set", "type": "term.set", "effective": START.isoformat(), "term": "price",
         "summary": "the price", "value": {"amount": 0}},
        *({"id": f"i{count}-a{n}", "type": "term.amended", "effective":
           (START + dt.timedelta(days=n + 1)).isoformat(), "term": "price",
           "changes": {"amount": n}} for n in range(count)),
    ]  # fmt: skip
    document = {
        "agreement": agreement,
        "title": f"{count} amendments",
        "parties": parties,
        "events": events,
    }
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def imported(tracker: Tracker, folder: Path, count: int) -> float:
    """Seconds to import a file of `count` amendments to one term."""
    path = folder / f"imported{count}.yaml"
    amendment_file(path, count)
    start = time.perf_counter()
    tracker.import_files([path])
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--imports", type=int, nargs="+", default=[1000, 2000, 5000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with Tracker.open(f"sqlite:///{folder / 'appends.db'}") as tracker:
            for size in args.sizes:
                median, mean, most = singles(tracker, size)
                print(f"Tracker.append of one amendment, log of {size:>7,} events: median "
                      f"{median:6.2f} ms, mean {mean:6.2f} ms, slowest {most:7.1f} ms")  # fmt: skip
            for count in args.imports:
                seconds = imported(tracker, folder, count)
                print(f"import of {count:>5,} amendments to one term: {seconds:6.2f} s "
                      f"({seconds / count * 1e6:,.0f} us per amendment)")  # fmt: skip


if __name__ == "__main__":
    main()
