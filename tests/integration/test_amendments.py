"""Terms as they really change: amendment files, field-level amendments, imprecise dates,
reaffirmations, ended certainty, --published-by, and a diff that shows the way."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.cli.shapes import diff_json, possible_json, term_json
from tracker.errors import EventConflictError, FileFormatError, InvalidEventError, NotFoundError
from tracker.service import Tracker

NOW = dt.datetime(2030, 1, 1)
BASE = """\
agreement: acme
title: Acme supply
parties: [{name: Acme, role: supplier}]
sources:
  - {id: memo, title: Memo, published: 2024-12-01, file: memo.txt}
  - {id: press, title: Press report, published: 2025-03-10, file: press.txt}
events:
  - {id: created, type: agreement.created, effective: 2024-01-01, title: Acme supply,
     parties: [{name: Acme, role: supplier}], sources: [{source: memo, quote: Acme supply}]}
  - {id: volume, type: term.set, effective: 2025-01-01, term: supply.volume,
     summary: Ten a day, value: {per_day: 10, unit: widget},
     sources: [{source: memo, quote: ten widgets a day}]}
"""
TEXTS = {
    "memo.txt": "Acme supply: ten widgets a day from January.",
    "press.txt": "Acme is said to deliver twenty a day from March. The deal is unchanged.",
}


def files(folder: Path, **documents: str) -> list[Path]:
    """Write the source texts and the named agreement files; return the files' paths."""
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    paths = []
    for name, text in documents.items():
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def amendment(events: str, sources: str = "") -> str:
    return f"agreement: acme\n{sources}events:\n{events}"


AMEND_VOLUME = amendment(
    "  - {id: more, type: term.amended, effective: 2025-03, term: supply.volume,"
    " certainty: reported, changes: {per_day: 20},"
    " sources: [{source: press, quote: twenty a day from March}]}\n"
)


def test_an_amendment_file_adds_to_an_agreement_already_stored(
    tracker: Tracker, tmp_path: Path
) -> None:
    base, amend = files(tmp_path, base=BASE, amend=AMEND_VOLUME)
    tracker.import_file(base)

    result = tracker.import_file(amend)

    assert (result.written, result.version) == (1, 3)
    assert dict(tracker.state("acme", dt.date(2025, 4, 1), NOW).terms["supply.volume"].value) == {
        "per_day": 20,
        "unit": "widget",
    }


def test_an_amendment_file_may_come_before_the_file_that_creates_its_agreement(
    tracker: Tracker, tmp_path: Path
) -> None:
    amend, base = files(tmp_path, amend=AMEND_VOLUME, base=BASE)

    results = tracker.import_files([amend, base])

    assert [(r.written, r.version) for r in results] == [(1, 3), (2, 2)]


def test_an_amendment_file_for_an_unknown_agreement_writes_nothing(
    tracker: Tracker, tmp_path: Path
) -> None:
    [amend] = files(tmp_path, amend=AMEND_VOLUME)

    with pytest.raises(NotFoundError) as raised:
        tracker.import_file(amend)

    assert str(raised.value) == (
        f"{amend}: agreement 'acme' is unknown (the database holds none); import the file "
        "that creates it (with agreement.created) first, or with this one"
    )
    assert tracker.store.agreements() == []


def test_an_amendment_file_leaves_out_title_and_parties(tracker: Tracker, tmp_path: Path) -> None:
    [amend] = files(tmp_path, amend="title: Acme\n" + AMEND_VOLUME)

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(amend)

    assert str(raised.value) == (
        f"{amend}: field title: an amendment file (one without agreement.created) leaves out"
        " title and parties"
    )


def test_a_source_id_reused_with_other_content_names_what_differs(
    tracker: Tracker, tmp_path: Path
) -> None:
    changed = amendment(
        "  - {id: n, type: note.recorded, effective: 2025-05-01, note: x}\n",
        "sources:\n  - {id: memo, title: Another memo, published: 2024-12-01, file: press.txt}\n",
    )
    base, amend = files(tmp_path, base=BASE, amend=changed)
    tracker.import_file(base)

    with pytest.raises(EventConflictError) as raised:
        tracker.import_file(amend)

    assert str(raised.value) == (
        f"{amend}: source 'memo' is already stored with other content (it differs in title, "
        "file, text);"
        " give the new version another id"
    )
    assert tracker.store.version("acme") == 2


def test_amending_a_term_not_in_force_on_its_date_writes_nothing(
    tracker: Tracker, tmp_path: Path
) -> None:
    early = AMEND_VOLUME.replace("effective: 2025-03,", "effective: 2024-12-31,")
    base, amend = files(tmp_path, base=BASE, amend=early)
    tracker.import_file(base)

    with pytest.raises(InvalidEventError) as raised:
        tracker.import_file(amend)

    assert str(raised.value) == (
        f"{amend}: event 'more': term 'supply.volume' is not in force on 2024-12-31;"
        " term.amended applies to a term in force (term.set puts one in force)"
    )
    assert tracker.store.version("acme") == 2


def test_an_amended_field_keeps_its_own_date_certainty_and_sources(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.import_files(files(tmp_path, base=BASE, amend=AMEND_VOLUME))

    term = tracker.state("acme", dt.date(2025, 4, 1), NOW).terms["supply.volume"]

    assert term_json(term)["fields"] == {
        "per_day": {
            "value": 20,
            "since": "2025-03",
            "certainty": "reported",
            "events": ["more"],
            "sources": ["press"],
        },
        "unit": {
            "value": "widget",
            "since": "2025-01-01",
            "certainty": "confirmed",
            "events": ["volume"],
            "sources": ["memo"],
        },
    }
    assert (str(term.since), term.certainty, term.events) == (
        "2025-01-01",
        "reported",
        ("volume", "more"),
    )


def test_a_change_inside_its_imprecise_month_is_possible_not_applied(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.import_files(files(tmp_path, base=BASE, amend=AMEND_VOLUME))

    state = tracker.state("acme", dt.date(2025, 3, 15), NOW)

    assert state.terms["supply.volume"].value["per_day"] == 10
    assert possible_json(state.possible["supply.volume"]) | {"fields": {}} == {
        "event": "more",
        "date": "2025-03",
        "change": "amended",
        "summary": "Ten a day",
        "value": {"per_day": 20, "unit": "widget"},
        "since": "2025-01-01",
        "expires": None,
        "ends_when": None,
        "certainty": "reported",
        "events": ["volume", "more"],
        "sources": ["memo", "press"],
        "fields": {},
        "affirmed_by": [],
    }


def test_a_possible_change_that_comes_unchanged_is_settled_in_the_diff(
    tracker: Tracker, tmp_path: Path
) -> None:
    later = BASE.replace("effective: 2025-01-01, term", "effective: 2025-01, term")
    tracker.import_files(files(tmp_path, base=later))

    result = diff_json(tracker.diff("acme", dt.date(2025, 1, 15), dt.date(2025, 2, 1), NOW))

    assert [(c["term"], c["change"], c["events"]) for c in result["changes"]] == [
        ("supply.volume", "settled", ["volume"])
    ]


def test_a_reaffirmation_adds_support_and_changes_nothing(tracker: Tracker, tmp_path: Path) -> None:
    affirm = amendment(
        "  - {id: same, type: term.affirmed, effective: 2025-03-10, term: supply.volume,"
        " sources: [{source: press, quote: The deal is unchanged}]}\n"
    )
    tracker.import_files(files(tmp_path, base=BASE, affirm=affirm))

    before = tracker.state("acme", dt.date(2025, 3, 9), NOW).terms["supply.volume"]
    after = tracker.state("acme", dt.date(2025, 3, 10), NOW).terms["supply.volume"]
    result = diff_json(tracker.diff("acme", dt.date(2025, 3, 9), dt.date(2025, 3, 10), NOW))

    assert (after.value, after.since, after.events) == (before.value, before.since, before.events)
    assert (before.sources, after.sources, after.affirmed_by) == (
        ("memo",),
        ("memo", "press"),
        ("same",),
    )
    assert (result["changes"], result["affirmed"]) == (
        [],
        [{"term": "supply.volume", "event": "same"}],
    )


def test_an_ended_term_carries_the_certainty_of_its_ending(
    tracker: Tracker, tmp_path: Path
) -> None:
    end = amendment(
        "  - {id: stop, type: term.ended, effective: 2025-06-01, term: supply.volume,"
        " reason: terminated, certainty: rumored}\n"
    )
    tracker.import_files(files(tmp_path, base=BASE, end=end))

    ended = tracker.state("acme", dt.date(2025, 6, 1), NOW).ended["supply.volume"]

    assert (str(ended.ended), ended.reason, ended.certainty) == (
        "2025-06-01",
        "terminated",
        "rumored",
    )


def test_a_term_added_and_ended_inside_the_window_came_and_went(
    tracker: Tracker, tmp_path: Path
) -> None:
    end = amendment(
        "  - {id: stop, type: term.ended, effective: 2025-06-01, term: supply.volume,"
        " reason: terminated}\n"
    )
    tracker.import_files(files(tmp_path, base=BASE, end=end))

    result = diff_json(tracker.diff("acme", dt.date(2024, 12, 1), dt.date(2025, 7, 1), NOW))

    assert [(c["term"], c["change"], c["events"]) for c in result["changes"]] == [
        ("supply.volume", "came_and_went", ["volume", "stop"])
    ]


def test_published_by_counts_only_what_sources_published_by_then_said(
    tracker: Tracker, tmp_path: Path
) -> None:
    tracker.import_files(files(tmp_path, base=BASE, amend=AMEND_VOLUME))

    before_press = tracker.state("acme", dt.date(2025, 4, 1), NOW, published=dt.date(2025, 3, 9))
    after_press = tracker.state("acme", dt.date(2025, 4, 1), NOW, published=dt.date(2025, 3, 10))
    learned = diff_json(
        tracker.publication_diff(
            "acme", dt.date(2025, 4, 1), dt.date(2025, 3, 9), dt.date(2025, 3, 10)
        )
    )

    assert before_press.terms["supply.volume"].value["per_day"] == 10
    assert after_press.terms["supply.volume"].value["per_day"] == 20
    assert [(c["term"], c["change"], c["fields"]) for c in learned["changes"]] == [
        ("supply.volume", "changed", ["certainty", "value.per_day", "sources"])
    ]
