"""Independence counts originals: a citation that relays another source's words counts as it."""

from __future__ import annotations

from tracker.core.events import Citation, NoteRecorded, Source, StoredSource
from tracker.core.provenance import bad_citation, corroboration

SOURCES = {
    s.id: StoredSource(source=s)
    for s in (
        Source(id="company-post", title="The company's post"),
        Source(id="press-a", title="Press A"),
        Source(id="press-b", title="Press B"),
        Source(id="rewrite-of-a", title="A rewrite of A", derived_from="press-a"),
    )
}


def test_two_reports_relaying_one_post_count_as_one_independent_source() -> None:
    citations = [
        Citation(source="press-a", quote="Microsoft says X", relays="company-post"),
        Citation(
            source="press-b", quote="in a blog post, Microsoft stated X", relays="company-post"
        ),
    ]

    backing = corroboration(citations, SOURCES)

    assert (backing.independent, backing.sources, backing.originals) == (
        1,
        ("press-a", "press-b"),
        ("company-post",),
    )


def test_a_relay_of_a_post_and_the_press_own_reporting_count_as_two() -> None:
    citations = [
        Citation(source="press-a", quote="Microsoft says X", relays="company-post"),
        Citation(source="rewrite-of-a", quote="people familiar say X"),
        Citation(source="press-b", quote="X, we hear"),
    ]

    backing = corroboration(citations, SOURCES)

    assert (backing.independent, backing.originals) == (3, ("company-post", "press-a", "press-b"))


def test_a_relay_that_contradicts_counts_for_nothing() -> None:
    citations = [
        Citation(source="press-a", quote="X", relays="company-post", stance="contradicts"),
        Citation(source="press-b", quote="X"),
    ]

    assert corroboration(citations, SOURCES).originals == ("press-b",)


def test_a_citation_relaying_an_unknown_source_is_refused() -> None:
    event = NoteRecorded(
        id="n",
        agreement="a",
        effective="2025-01-21",
        note="X",
        sources=(Citation(source="press-a", relays="company-blog"),),
    )

    assert bad_citation(event, SOURCES) == "field sources.0.relays: unknown source 'company-blog'"
