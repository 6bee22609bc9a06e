"""Benchmark: checking a wrong quote against a long source text (target: under a second).

Usage: python benchmarks/quotes.py [--words 200000] [--quote-words 50]

Builds a source text of random words, cites it with a quote that is not in it, and times the
check that refuses the citation and finds the closest passage, and a right quote's check.
"""

from __future__ import annotations

import argparse
import random
import time

from tracker.core.events import Source, StoredSource, event_from_dict
from tracker.core.provenance import bad_citation, sha256

VOCABULARY = [f"word{n}" for n in range(5000)]


def note(quote: str) -> object:
    return event_from_dict(
        {
            "type": "note.recorded",
            "id": "n",
            "agreement": "acme",
            "effective": "2025-01-01",
            "note": "n",
            "sources": [{"source": "long", "quote": quote}],
        }
    )


def timed(quote: str, sources: dict[str, StoredSource]) -> tuple[float, str | None]:
    start = time.perf_counter()
    problem = bad_citation(note(quote), sources)  # type: ignore[arg-type]
    return time.perf_counter() - start, problem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--quote-words", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(11)
    words = [rng.choice(VOCABULARY) for _ in range(args.words)]
    text = " ".join(words)
    sources = {
        "long": StoredSource(source=Source(id="long", title="Long"), text=text, sha256=sha256(text))
    }
    start = rng.randrange(args.words - args.quote_words)
    right = " ".join(words[start : start + args.quote_words])
    wrong = right.replace(words[start + 1], "changed", 1)
    right_seconds, right_problem = timed(right, sources)
    wrong_seconds, wrong_problem = timed(wrong, sources)
    assert right_problem is None and wrong_problem is not None
    for label, seconds in (("right quote", right_seconds), ("wrong quote", wrong_seconds)):
        verdict = "MET" if seconds < 1 else "NOT MET"
        print(
            f"{label}: {args.quote_words} words against {args.words} words: "
            f"{seconds:.3f} s (target < 1 s) {verdict}"
        )


if __name__ == "__main__":
    main()
