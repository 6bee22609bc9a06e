"""The report's data answers as `state` and `diff` do: a term that came and went inside a
window, affirmations, possible changes, and sources added or dropped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.cli.see import agreement_file, term_set
from tracker.report import page_data
from tracker.service import Tracker


def page(tracker: Tracker, agreement: str, as_of: dt.date) -> dict[str, Any]:
    """The data the report's page reads."""
    return page_data(tracker.report(agreement, as_of), as_of)


def shown_on(data: dict[str, Any], day: str) -> int:
    """The state the page shows for a day: the last of its days on or before it (as the
    page's script picks it)."""
    return max([0, *(i for i, d in enumerate(data["dates"]) if d <= day)])


def diff_shown(data: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    return dict(data["diffs"][f"{shown_on(data, start)}-{shown_on(data, end)}"])


def test_2_the_page_lists_the_possible_terms_of_2024_12_01_as_state_does(
    shipped: Tracker,
) -> None:
    data = page(shipped, "microsoft-openai", dt.date(2025, 1, 21))

    state = data["states"][shown_on(data, "2024-12-01")]

    assert [
        (p["term"], p["date"], p["change"], p["certainty"], p["event"]) for p in state["possible"]
    ] == [
        ("agi.clause", "../2025-01-20", "set", "reported", "2025-01-21-agi-clause"),
        ("cloud.azure_commitment", "../2025-01-21", "set", "confirmed",
         "2025-01-21-azure-commitment"),
        ("ip.rights", "../2025-01-20", "set", "reported", "2025-01-21-ip-rights-through-2030"),
        ("revenue.share", "../2025-01-20", "set", "reported",
         "2025-01-21-revenue-share-through-2030"),
    ]  # fmt: skip


def review(tmp_path: Path, tracker: Tracker) -> None:
    """A deal whose regulatory review opened and closed in 2021, its price affirmed and
    re-cited in between."""
    price = term_set("price-set", "deal.price", "2020-06-01", "Ten a unit", value={"unit": 10})
    events = [
        {**price, "sources": [{"source": "wire"}]},
        term_set("review-open", "review.open", "2021-03-01", "Regulators review the deal"),
        {"id": "review-closed", "type": "term.ended", "effective": "2021-06-01",
         "term": "review.open", "reason": "terminated"},
        {"id": "price-again", "type": "term.affirmed", "effective": "2021-07-01",
         "term": "deal.price"},
        {"id": "price-cited", "type": "term.amended", "effective": "2021-08-01",
         "term": "deal.price", "changes": {"unit": 11}, "sources": [{"source": "paper"}]},
    ]  # fmt: skip
    sources = [{"id": "wire", "title": "Wire"}, {"id": "paper", "title": "Paper"}]
    tracker.import_file(agreement_file(tmp_path, "deal", events, sources=sources))


def test_2_a_term_that_came_and_went_and_an_affirmation_are_in_the_page_diff(
    tmp_path: Path, tracker: Tracker
) -> None:
    review(tmp_path, tracker)
    data = page(tracker, "deal", dt.date(2022, 1, 1))

    diff = diff_shown(data, "2021-01-01", "2021-12-31")

    assert [(c["term"], c["change"], c["events"]) for c in diff["changes"]] == [
        ("deal.price", "changed", ["price-cited"]),
        ("review.open", "came_and_went", ["review-open", "review-closed"]),
    ]
    assert diff["affirmed"] == [{"term": "deal.price", "event": "price-again"}]
    assert diff["changes"][1]["summary"] == (
        "Regulators review the deal (from 2021-03-01; terminated 2021-06-01)"
    )


def test_16_the_page_diff_shows_sources_added_and_dropped(tmp_path: Path, tracker: Tracker) -> None:
    review(tmp_path, tracker)
    data = page(tracker, "deal", dt.date(2022, 1, 1))

    diff = diff_shown(data, "2021-07-31", "2021-08-01")

    assert diff["changes"][0]["lines"] == [
        {"name": "value.unit", "old": "10", "new": "11"},
        {"name": "sources", "added": ["paper"], "dropped": []},
    ]
