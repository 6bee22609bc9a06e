"""Provenance: quotes checked against stored texts, corroboration, and conflicts between sources."""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import msgspec

from tracker.core.events import (
    Citation,
    Event,
    EventCorrected,
    EventRetracted,
    Fact,
    StoredSource,
    TermAmended,
    TermSet,
    term_of,
)
from tracker.core.state import Recorded

_TRANSLATE = str.maketrans(
    {
        "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'",
        "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
        "–": "-", "—": "-", "‒": "-", "―": "-", "‐": "-", "‑": "-", "−": "-",
        "\u00a0": " ",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
# The closest passage compares only this many candidate windows, and this many characters of
# each, character by character: a failed quote costs linear time, whatever the text.
CANDIDATES = 8
MAX_COMPARED = 1500


def normalise(text: str) -> str:
    """Text as quotes are compared: NFC, typographic quotes and dashes plain, whitespace
    single, case folded."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text.translate(_TRANSLATE)).strip().casefold()


class QuotedTexts:
    """Source texts as quotes are compared, each normalised once however many quotes are
    checked against it, and whatever the number of sources: made for one check and passed
    along to each citation's, so that the texts are held no longer than the check."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[str, str]] = {}  # source -> (text, normalised text)

    def normalised(self, source: str, text: str) -> str:
        """The text of `source`, normalised (again only if the source now has another)."""
        kept = self._kept.get(source)
        if kept is None or kept[0] is not text:
            kept = (text, normalise(text))
            self._kept[source] = kept
        return kept[1]


def sha256(text: str) -> str:
    """The hash stored beside a source's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def quote_found(quote: str, text: str, normalised: str | None = None) -> bool:
    """Whether the quote occurs in the text, up to normalisation (linear: one substring
    search in the normalised text, given when the caller has it)."""
    return normalise(quote) in (normalise(text) if normalised is None else normalised)


def _word(word: str) -> str:
    """One word as quotes are compared (a word holds no whitespace to collapse)."""
    return unicodedata.normalize("NFC", word).translate(_TRANSLATE).casefold()


def _key(token: str) -> str:
    """A normalised word as windows are scored: punctuation around it left out."""
    return token.strip(string.punctuation)


def _overlaps(tokens: Sequence[str], wanted: Counter[str], size: int) -> dict[int, int]:
    """For windows of `size` tokens, how many of the wanted words each holds. Only windows
    that start at a wanted word are scored (shifting any window right to one loses nothing);
    two pointers over those words make it linear in the text."""
    found = [(i, key) for i, token in enumerate(tokens) if (key := _key(token)) in wanted]
    window: Counter[str] = Counter()
    overlap, end, scores = 0, 0, {}
    for start, token in found:
        while end < len(found) and found[end][0] < start + size:
            added = found[end][1]
            overlap += window[added] < wanted[added]
            window[added] += 1
            end += 1
        scores[min(start, len(tokens) - size)] = overlap
        overlap -= window[token] <= wanted[token]
        window[token] -= 1
    return scores or {0: 0}


def closest_passage(quote: str, text: str, normalised: str | None = None) -> str:
    """The passage of the text (as many words as the quote) most like the quote: the windows
    sharing the most words with it, then the most similar of those (bounded work). The
    normalised text may be given, when the caller has it."""
    import difflib  # only a failed quote needs it; it is slow to import

    words = text.split()
    size = max(len(quote.split()), 1)
    if len(words) <= size:
        return " ".join(words)
    wanted = Counter(_key(_word(w)) for w in quote.split())
    tokens = (normalise(text) if normalised is None else normalised).split()
    if len(tokens) != len(words):  # normalising moved a word boundary: go word by word
        tokens = [_word(w) for w in words]
    scores = _overlaps(tokens, wanted, size)
    starts = heapq.nlargest(CANDIDATES, scores, key=lambda s: (scores[s], -s))
    target = normalise(quote)[:MAX_COMPARED]
    best, best_ratio = "", -1.0
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(target)
    for start in sorted(starts):
        passage = " ".join(words[start : start + size])
        matcher.set_seq1(normalise(passage)[:MAX_COMPARED])
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = passage, ratio
    return best


def citations_of(event: Event) -> tuple[Citation, ...]:
    """An event's citations, and those of the replacement a correction carries."""
    if isinstance(event, EventCorrected):
        return event.sources + event.replacement.sources
    return event.sources


def bad_citation(
    event: Event, sources: Mapping[str, StoredSource], texts: QuotedTexts | None = None
) -> str | None:
    """What is wrong with the first citation of an event that fails: an unknown source, or a
    quote its source's stored text does not contain (with the closest passage). A check of
    many events passes the same `texts` to each, so each source text is normalised once."""
    texts = QuotedTexts() if texts is None else texts
    for i, citation in enumerate(citations_of(event)):
        if citation.source not in sources:
            return f"field sources.{i}.source: unknown source {citation.source!r}"
        if citation.relays is not None and citation.relays not in sources:
            return f"field sources.{i}.relays: unknown source {citation.relays!r}"
        if citation.quote is not None and not normalise(citation.quote):
            return f"field sources.{i}.quote: a quote cannot be empty or only whitespace"
        problem = unverifiable_quote(citation, sources, texts)
        if problem is not None:
            return (
                f"field sources.{i}.quote: not in source {citation.source!r}; "
                f"closest passage: {problem[1]!r}"
            )
    return None


def unverifiable_quote(
    citation: Citation, sources: Mapping[str, StoredSource], texts: QuotedTexts | None = None
) -> tuple[str, str] | None:
    """(quote, closest passage) when a citation's quote is not in its source's stored text
    (normalised through `texts`, given by a check of many citations)."""
    stored = sources.get(citation.source)
    if citation.quote is None or stored is None or stored.text is None:
        return None
    texts = QuotedTexts() if texts is None else texts
    normalised = texts.normalised(citation.source, stored.text)
    if quote_found(citation.quote, stored.text, normalised):
        return None
    return citation.quote, closest_passage(citation.quote, stored.text, normalised)


def root(source: str, sources: Mapping[str, StoredSource]) -> str:
    """The original a source rewrites (following derived_from), or the source itself."""
    seen = {source}
    while (stored := sources.get(source)) is not None and stored.source.derived_from:
        source = stored.source.derived_from
        if source in seen:
            break
        seen.add(source)
    return source


class Corroboration(msgspec.Struct, frozen=True):
    """How many independent sources support a fact, which they are, which have no text, and
    the originals they come down to."""

    independent: int
    sources: tuple[str, ...]
    unverified: tuple[str, ...]
    originals: tuple[str, ...] = ()


def corroboration(
    citations: Iterable[Citation], sources: Mapping[str, StoredSource]
) -> Corroboration:
    """The supporting sources of some citations, rewrites counted with their originals and
    relays with the source they relay."""
    backing = [c for c in citations if c.stance == "supports"]
    supporting = tuple(dict.fromkeys(c.source for c in backing))
    unverified = tuple(s for s in supporting if sources.get(s) is None or sources[s].text is None)
    originals = tuple(dict.fromkeys(root(c.relays or c.source, sources) for c in backing))
    return Corroboration(len(originals), supporting, unverified, originals)


class Conflict(msgspec.Struct, frozen=True):
    """A fact some cited sources support and others contradict."""

    event: str
    term: str | None
    supports: tuple[Citation, ...]
    contradicts: tuple[Citation, ...]


class SingleSource(msgspec.Struct, frozen=True):
    """A fact that rests on one independent source."""

    event: str
    term: str | None
    source: str


def conflicts(facts: Sequence[Fact]) -> list[Conflict]:
    """The facts with contradicting citations, quotes of both sides kept."""
    return [
        Conflict(
            f.id,
            term_of(f),
            tuple(c for c in f.sources if c.stance == "supports"),
            tuple(c for c in f.sources if c.stance == "contradicts"),
        )
        for f in facts
        if any(c.stance == "contradicts" for c in f.sources)
    ]


def single_sourced(
    facts: Sequence[Fact], sources: Mapping[str, StoredSource]
) -> list[SingleSource]:
    """The facts whose supporting citations all come from one independent source."""
    found = []
    for f in facts:
        if f.type == "agreement.created":
            continue
        backing = corroboration(f.sources, sources)
        if backing.independent == 1:
            found.append(SingleSource(f.id, term_of(f), backing.originals[0]))
    return found


class SingleSourceField(msgspec.Struct, frozen=True):
    """A field of a term whose value rests on one independent source."""

    event: str
    term: str
    field: str
    source: str


def fields_set(fact: TermSet | TermAmended) -> tuple[str, ...]:
    """The fields of a term's value that a fact gives a value (a removed field has none)."""
    if isinstance(fact, TermSet):
        return tuple(fact.value)
    return tuple(name for name, value in fact.changes.items() if value is not None)


def single_sourced_fields(
    facts: Sequence[Fact], sources: Mapping[str, StoredSource]
) -> list[SingleSourceField]:
    """The fields, term by term, whose value rests on one independent source: a field is
    backed by the citations of the fact that gave it its value."""
    found: list[SingleSourceField] = []
    for f in facts:
        if not isinstance(f, TermSet | TermAmended):
            continue
        backing = corroboration(f.sources, sources)
        if backing.independent == 1:
            source = backing.originals[0]
            found.extend(SingleSourceField(f.id, f.term, name, source) for name in fields_set(f))
    return found


def stance_counts(facts: Sequence[Event], source: str) -> tuple[int, int]:
    """How many facts a source supports and how many it contradicts."""
    supports = sum(
        any(c.source == source and c.stance == "supports" for c in f.sources) for f in facts
    )
    contradicts = sum(
        any(c.source == source and c.stance == "contradicts" for c in f.sources) for f in facts
    )
    return supports, contradicts


class ConflictReport(msgspec.Struct, frozen=True):
    """An agreement's contradicted facts, and its facts and fields resting on one independent
    source."""

    agreement: str
    conflicts: tuple[Conflict, ...]
    single_source: tuple[SingleSource, ...]
    single_source_fields: tuple[SingleSourceField, ...] = ()


def conflict_report(
    agreement: str, facts: Sequence[Fact], sources: Mapping[str, StoredSource]
) -> ConflictReport:
    """What `tracker conflicts` shows."""
    return ConflictReport(
        agreement,
        tuple(conflicts(facts)),
        tuple(single_sourced(facts, sources)),
        tuple(single_sourced_fields(facts, sources)),
    )


class SourceUse(msgspec.Struct, frozen=True):
    """A source, with how many facts it supports and how many it contradicts."""

    stored: StoredSource
    supports: int
    contradicts: int


def source_uses(facts: Sequence[Fact], sources: Mapping[str, StoredSource]) -> list[SourceUse]:
    """What `tracker sources` shows: each source with its counts."""
    return [SourceUse(s, *stance_counts(facts, s.source.id)) for s in sources.values()]


def published_by(
    records: Iterable[Recorded], sources: Mapping[str, StoredSource], day: dt.date
) -> list[Recorded]:
    """The records whose event cites, in support, a source published on or before `day`:
    what the public record said by then (an event citing no dated source does not count),
    with the retractions that cite no source (see `public_by`)."""
    dated = {
        name for name, s in sources.items() if s.source.published is not None
        and s.source.published <= day
    }  # fmt: skip
    return [r for r in records if public_by(r.event, dated)]


def public_by(event: Event, dated: set[str]) -> bool:
    """Whether an event counts among what sources published in `dated` said. A retraction
    citing no source mends the record itself (a mistake in it, not news), so it counts
    whatever the day, as it does whatever `--as-of`; one citing sources (a report withdrawn)
    counts once one of them was out."""
    if isinstance(event, EventRetracted) and not event.sources:
        return True
    return any(c.stance == "supports" and c.source in dated for c in citations_of(event))
