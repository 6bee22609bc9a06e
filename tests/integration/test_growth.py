"""Work that must grow with its input, not faster: each test gives a large-ish input and checks
the answer is right (benchmarks/growth.py times the same shapes at two sizes)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tracker.service import Tracker
from tracker.store import terms

LINKS = 3000
HEADER = (
    "agreement: chain\n"
    "title: Chain\n"
    "parties: [{name: A, role: a}]\n"
    "events:\n"
    "  - {id: c, type: agreement.created, effective: 2020-01-01, title: Chain,"
    " parties: [{name: A, role: a}]}\n"
    "  - {id: r0, type: term.set, effective: 2020-01-02, term: t.k, summary: s}\n"
)


def retraction_chain(tmp_path: Path, links: int) -> Path:
    """A file whose event r{n} retracts r{n-1}, down to the term.set r0, written last link
    first so that the import must put each link after the one it retracts."""
    lines = [
        f"  - {{id: r{n}, type: event.retracted, effective: 2020-01-03, target: r{n - 1},"
        " reason: wrong}\n"
        for n in range(links, 0, -1)
    ]
    path = tmp_path / "chain.yaml"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_retraction_chain_imports_and_verifies(tracker: Tracker, tmp_path: Path) -> None:
    result = tracker.import_file(retraction_chain(tmp_path, LINKS))
    verification = tracker.check()
    state = tracker.state("chain", dt.date(2020, 2, 1))
    [entry] = tracker.terms("t.k", dt.date(2020, 2, 1))

    assert (result.written, result.version) == (LINKS + 2, LINKS + 2)
    assert (verification.problems, verification.events) == ([], LINKS + 2)
    # An even number of links: r3000 stands, so r2999 falls, r2998 stands ... and r0 stands.
    assert state.terms["t.k"].events == ("r0",)
    assert entry.term is not None and entry.term.events == ("r0",)


def test_chain_roots_in_a_damaged_cycle_stop_where_it_closes() -> None:
    # a -> b -> c -> a is a cycle (only a damaged log holds one); t runs into it at a; f is a
    # fact with a chain d -> e -> f of two links.
    parent = {"a": "b", "b": "c", "c": "a", "t": "a", "d": "e", "e": "f"}

    assert terms._roots(parent) == {
        "a": "c", "b": "a", "c": "b", "t": "c", "d": "f", "e": "f", "f": "f"
    }  # fmt: skip
