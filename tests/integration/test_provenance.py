"""Provenance of the shipped record: verified quotes, corroboration, conflicts, sources."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import RECORD, pinned
from tests.integration.test_tamper import drop_triggers
from tracker.cli.shapes import conflicts_json, sources_json
from tracker.core.events import event_from_dict
from tracker.core.provenance import closest_passage, corroboration, normalise, quote_found
from tracker.errors import FileFormatError, InvalidEventError
from tracker.service import Tracker
from tracker.store.tables import sources_table

AGREEMENT = "microsoft-openai"
ROFR_QUOTE = "includes changes to the exclusivity on new capacity"


def copy_record(tmp_path: Path) -> Path:
    shutil.copytree(RECORD.parent, tmp_path / "events")
    return tmp_path / "events" / RECORD.name


def test_quotes_match_up_to_typography_case_and_whitespace() -> None:
    text = "Microsoft’s deal — “ROFR”\n  on new   capacity"

    assert quote_found('microsoft\'s DEAL - "rofr" on new capacity', text)
    assert normalise(text) == 'microsoft\'s deal - "rofr" on new capacity'


def test_closest_passage_is_the_most_similar_run_of_words() -> None:
    text = "Microsoft has approved OpenAI's ability to build additional capacity, primarily."

    assert closest_passage("approved OpenAI's ability to build more capacity", text) == (
        "approved OpenAI's ability to build additional capacity,"
    )


def test_every_quote_of_the_shipped_record_verifies(shipped: Tracker) -> None:
    assert shipped.verify_sources(AGREEMENT, RECORD.parent) == []


def test_an_altered_quote_is_rejected_with_the_closest_passage(
    tracker: Tracker, tmp_path: Path
) -> None:
    path = copy_record(tmp_path)
    text = path.read_text("utf-8").replace(
        ROFR_QUOTE, "includes changes to exclusivity on all capacity"
    )
    path.write_text(text, "utf-8")

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value) == (
        f"{path}: event '2025-01-21-cloud-rofr': field sources.2.quote: not in source "
        "'verge-2025-01-21-capture'; closest passage: '“includes changes to the exclusivity on new"
        " capacity, moving to a model where Microsoft has a right of first refusal'"
    )
    assert tracker.store.agreements() == []


def test_recording_a_quote_its_source_does_not_contain_is_refused(shipped: Tracker) -> None:
    note = event_from_dict(
        {
            "type": "note.recorded",
            "id": "n",
            "agreement": AGREEMENT,
            "effective": "2025-02-01",
            "note": "n",
            "sources": [{"source": "verge-2025-01-21-capture", "quote": "Microsoft sold Azure"}],
        }
    )

    with pytest.raises(InvalidEventError) as raised:
        shipped.append(AGREEMENT, [note])

    assert str(raised.value).startswith(
        "event 'n': field sources.0.quote: not in source 'verge-2025-01-21-capture'; closest"
        " passage:"
    )


def test_a_rewrite_counts_with_its_original_not_apart(shipped: Tracker) -> None:
    state = shipped.state(AGREEMENT, dt.date(2025, 1, 21))
    sources = shipped.sources(AGREEMENT)

    counts = {k: corroboration(t.citations, sources).independent for k, t in state.terms.items()}

    assert counts == {
        "agi.clause": 2,
        "api.exclusivity": 3,
        "cloud.azure_commitment": 1,
        "cloud.exclusivity": 3,
        "cloud.own_capacity": 1,
        "cloud.third_party_capacity": 3,
        "ip.rights": 3,
        "revenue.share": 3,
    }
    agi = corroboration(state.terms["agi.clause"].citations, sources)
    assert agi.sources == (
        "verge-2025-01-21",
        "verge-2025-01-21-capture",
        "verge-rewrite-2026-03-19",
        "verge-summary-2025-01-22",
        "unknown-stargate-adjustment",
    )


def test_conflicts_of_the_shipped_record_are_pinned(shipped: Tracker) -> None:
    data = conflicts_json(shipped.conflicts(AGREEMENT))

    assert data == pinned("conflicts.json", data)


def test_the_shipped_disagreements_are_recorded_as_contradictions(shipped: Tracker) -> None:
    data = conflicts_json(shipped.conflicts(AGREEMENT))

    contradicted = {q["quote"][:40] for c in data["conflicts"] for q in c["contradicts"]}
    assert {"will continue until 2030", "(which will last until 2030)"} <= contradicted
    assert "Thursday, March 19, 2026" not in contradicted
    assert not any(q.startswith("Earlier in 2024") for q in contradicted)
    assert any(
        "Starbase" in c for c in (q["quote"] for x in data["conflicts"] for q in x["contradicts"])
    )
    assert any("capabilities" in q["quote"] for x in data["conflicts"] for q in x["contradicts"])


def test_sources_count_what_each_supports_and_contradicts(shipped: Tracker) -> None:
    rows = sources_json(shipped.source_uses(AGREEMENT))

    assert [(r["id"], r["supports"], r["contradicts"], r["derived_from"]) for r in rows] == [
        ("microsoft-blog-2023-01-23", 1, 0, None),
        ("microsoft-blog-2025-01-21", 10, 0, None),
        ("microsoft-news-2019-07-22", 2, 0, None),
        ("oracle-2024-06-11", 2, 0, None),
        ("softbank-2025-01-22", 2, 0, None),
        ("techcrunch-2025-01-21", 1, 0, None),
        ("unknown-ends-exclusive-cloud", 19, 6, "techcrunch-2025-01-21"),
        ("unknown-stargate-adjustment", 15, 3, "techcrunch-2025-01-21"),
        ("verge-2025-01-21", 23, 0, None),
        ("verge-2025-01-21-capture", 23, 1, "verge-2025-01-21"),
        ("verge-2025-01-21-copy-wilsonsmedia", 1, 0, "verge-2025-01-21"),
        ("verge-rewrite-2026-03-19", 15, 5, "verge-2025-01-21"),
        ("verge-summary-2025-01-22", 13, 2, "verge-2025-01-21"),
        ("zdnet-2023-01-23", 1, 0, None),
    ]


def test_sources_verify_catches_a_source_text_edited_on_disk(
    shipped: Tracker, tmp_path: Path
) -> None:
    folder = copy_record(tmp_path).parent
    edited = folder / "sources" / "001_da70440169dfad51.txt"
    edited.write_text(edited.read_text("utf-8").replace("Tuesday", "Wednesday"), "utf-8")

    problems = shipped.verify_sources(AGREEMENT, folder)

    assert problems == [f"source 'verge-2025-01-21-capture': {edited} differs from the stored text"]


def test_sources_verify_catches_a_stored_text_edited_in_the_database(shipped: Tracker) -> None:
    drop_triggers(shipped.store)
    with shipped.store.engine.begin() as conn:
        conn.execute(
            sa.update(sources_table)
            .where(sources_table.c.id == "verge-2025-01-21-capture")
            .values(text=sa.func.replace(sources_table.c.text, "right of first refusal", "veto"))
        )

    problems = shipped.verify_sources(AGREEMENT)

    assert problems[0] == (
        "source 'verge-2025-01-21-capture': the stored text no longer matches its sha256"
    )
    assert problems[1].startswith(
        "event '2025-01-21-cloud-rofr': field sources.2.quote: not in source"
        " 'verge-2025-01-21-capture'"
    )
