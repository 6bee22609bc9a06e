"""Work that must grow with its input, not faster: each test gives a large-ish input and checks
the answer is right (benchmarks/growth.py times the same shapes at two sizes)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from tracker.core.provenance import QuotedTexts
from tracker.errors import FileFormatError
from tracker.service import Tracker
from tracker.store import terms

LINKS = 3000
SOURCES = 9  # more than any small cache of normalised texts would hold
WORDS = 20_000  # of each source text
CITATIONS = 450
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


def source_words() -> list[list[str]]:
    """The words of each source text."""
    rng = random.Random(5)
    return [[f"w{rng.randrange(3000)}" for _ in range(WORDS)] for _ in range(SOURCES)]


def quoting_file(tmp_path: Path, wrong: bool) -> Path:
    """A file citing SOURCES source texts in turn, CITATIONS times, each quote eight words
    of its source (the last one altered when `wrong`)."""
    texts = source_words()
    for n, words in enumerate(texts):
        (tmp_path / f"s{n}.txt").write_text(" ".join(words), encoding="utf-8")
    lines = [
        "agreement: quoted\ntitle: Quoted\nparties: [{name: A, role: a}]\nsources:\n",
        *(f"  - {{id: s{n}, title: S{n}, file: s{n}.txt}}\n" for n in range(SOURCES)),
        "events:\n  - {id: c, type: agreement.created, effective: 2020-01-01, title: Quoted,"
        " parties: [{name: A, role: a}]}\n",
    ]
    for n in range(CITATIONS):
        words = texts[n % SOURCES]
        quote = " ".join(words[n * 40 : n * 40 + 8])
        if wrong and n == CITATIONS - 1:
            quote = quote.replace(words[n * 40 + 1], "changed", 1)
        lines.append(
            f"  - {{id: n{n}, type: note.recorded, effective: 2020-01-02, note: n,"
            f" sources: [{{source: s{n % SOURCES}, quote: '{quote}'}}]}}\n"
        )
    path = tmp_path / "quoted.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_quotes_of_many_sources_cited_in_turn_are_checked(tracker: Tracker, tmp_path: Path) -> None:
    good = tmp_path / "good"
    bad = tmp_path / "bad"
    good.mkdir()
    bad.mkdir()

    result = tracker.import_file(quoting_file(good, wrong=False))
    problems = tracker.verify_sources("quoted", good)
    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(quoting_file(bad, wrong=True))

    assert (result.written, problems) == (CITATIONS + 1, [])
    last = CITATIONS - 1
    passage = " ".join(source_words()[last % SOURCES][last * 40 : last * 40 + 8])
    assert str(raised.value).endswith(
        f"event 'n{last}': field sources.0.quote: not in source 's{last % SOURCES}'; "
        f"closest passage: {passage!r}"
    )


def test_quoted_texts_normalise_a_source_again_when_its_text_changes() -> None:
    texts = QuotedTexts()

    first = texts.normalised("memo", "Ten  WIDGETS\u2014a day")
    again = texts.normalised("memo", "Ten  WIDGETS\u2014a day")
    changed = texts.normalised("memo", "Eleven widgets")

    assert (first, again, changed) == ("ten widgets-a day", "ten widgets-a day", "eleven widgets")


AMENDMENTS = 800
DAY0 = dt.date(2000, 1, 1)


def amended_file(tmp_path: Path) -> Path:
    """One term set on DAY0 and amended on each of the AMENDMENTS days after it."""
    lines = [
        "agreement: amended\ntitle: Amended\nparties: [{name: A, role: a}]\nevents:\n",
        f"  - {{id: c, type: agreement.created, effective: {DAY0}, title: Amended,"
        " parties: [{name: A, role: a}]}\n",
        f"  - {{id: s, type: term.set, effective: {DAY0}, term: price.unit, summary: Price 0,"
        " value: {usd: 0}}\n",
        *(
            f"  - {{id: a{n}, type: term.amended, effective: {DAY0 + dt.timedelta(days=n)},"
            f" term: price.unit, summary: Price {n}, changes: {{usd: {n}}}}}\n"
            for n in range(1, AMENDMENTS + 1)
        ),
    ]
    path = tmp_path / "amended.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_timeline_and_report_of_a_term_amended_many_times(tracker: Tracker, tmp_path: Path) -> None:
    tracker.import_file(amended_file(tmp_path))
    last_day = DAY0 + dt.timedelta(days=AMENDMENTS)

    made = tracker.timeline("amended")
    report = tracker.report("amended", last_day)

    periods = made.periods["price.unit"]
    assert (len(made.states), len(periods)) == (AMENDMENTS + 1, AMENDMENTS + 1)
    assert (periods[0].start, periods[0].end, periods[0].state.summary) == (DAY0, DAY0, "Price 0")
    assert (periods[-1].start, periods[-1].end, periods[-1].ended_by) == (last_day, None, None)
    assert periods[-1].state.value == {"usd": AMENDMENTS}
    assert periods[-1].state.events == ("s", *(f"a{n}" for n in range(1, AMENDMENTS + 1)))
    assert report.states[0].as_of == DAY0 - dt.timedelta(days=1)
    assert [s.as_of for s in report.states[1:]] == list(made.dates)
    assert len(report.diffs) == AMENDMENTS + 1  # days before and after each change
    [change] = report.diffs[(AMENDMENTS, AMENDMENTS + 1)].changes
    assert (change.change, change.fields, change.events) == (
        "changed",
        ("summary", "value.usd"),
        (f"a{AMENDMENTS}",),
    )
