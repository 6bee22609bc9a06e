"""Quotes are checked in linear time, after NFC normalisation; a blank quote proves nothing."""

from __future__ import annotations

import random
import unicodedata

from tracker.core.events import Source, StoredSource, event_from_dict
from tracker.core.provenance import bad_citation, closest_passage, quote_found, sha256

TEXT = "La société Acme livrera dix widgets par jour à Zürich."


def cited(quote: str) -> object:
    return event_from_dict(
        {
            "type": "note.recorded",
            "id": "n",
            "agreement": "acme",
            "effective": "2025-01-01",
            "note": "n",
            "sources": [{"source": "memo", "quote": quote}],
        }
    )


SOURCES = {
    "memo": StoredSource(source=Source(id="memo", title="Memo"), text=TEXT, sha256=sha256(TEXT))
}


def test_a_quote_in_nfd_is_found_in_nfc_text() -> None:
    quote = unicodedata.normalize("NFD", "société Acme livrera")

    assert quote != "société Acme livrera"
    assert quote_found(quote, TEXT)
    assert bad_citation(cited(quote), SOURCES) is None  # type: ignore[arg-type]


def test_a_whitespace_only_quote_is_refused() -> None:
    problem = bad_citation(cited(" \t\u00a0 "), SOURCES)  # type: ignore[arg-type]

    assert problem == "field sources.0.quote: a quote cannot be empty or only whitespace"


def test_the_closest_passage_in_a_200k_word_text_is_the_altered_window() -> None:
    rng = random.Random(7)
    words = [f"word{rng.randrange(5000)}" for _ in range(200_000)]
    passage = " ".join(words[123_456:123_506])
    quote = passage.replace(words[123_460], "changed", 1)

    assert closest_passage(quote, " ".join(words)) == passage
