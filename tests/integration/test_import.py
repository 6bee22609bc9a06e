"""Importing agreement files: validate everything first, name what is wrong, write nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tracker.errors import EventConflictError, FileFormatError, InvalidEventError
from tracker.service import Tracker

HEADER = (
    "agreement: acme\n"
    "title: Acme supply\n"
    "parties: [{name: Acme, role: supplier}]\n"
    "sources:\n"
    "  - {id: memo, title: Memo, file: memo.txt}\n"
    "events:\n"
    "  - {id: acme-1, type: agreement.created, effective: 2025-01-01, title: Acme supply,"
    " parties: [{name: Acme, role: supplier}]}\n"
)
GOOD_TERM = (
    "  - {id: acme-2, type: term.set, effective: 2025-02-01, term: supply.volume,"
    " summary: Ten a day, value: {per_day: 10}, sources: [{source: memo, quote: ten a day}]}\n"
)


def write(tmp_path: Path, events: str, header: str = HEADER) -> Path:
    (tmp_path / "memo.txt").write_text("We deliver ten a day.", encoding="utf-8")
    path = tmp_path / "acme.yaml"
    path.write_text(header + events, encoding="utf-8")
    return path


def test_import_writes_every_event_and_source(tracker: Tracker, tmp_path: Path) -> None:
    result = tracker.import_file(write(tmp_path, GOOD_TERM))

    assert (result.written, result.skipped, result.version) == (2, 0, 2)
    [memo] = tracker.store.sources("acme")
    assert (memo.source.id, memo.text) == ("memo", "We deliver ten a day.")


def test_events_may_come_in_any_order(tracker: Tracker, tmp_path: Path) -> None:
    retraction = (
        "  - {id: acme-3, type: event.retracted, effective: 2025-03-01, target: acme-2,"
        " reason: wrong}\n"
    )
    header = HEADER.replace("events:\n", "events:\n" + retraction)

    tracker.import_file(write(tmp_path, GOOD_TERM, header))

    assert [r.event.id for r in tracker.store.read("acme")] == ["acme-1", "acme-2", "acme-3"]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            "  - {id: acme-2, type: term.set, effective: 2025-02-30, term: a, summary: s}\n",
            "event 'acme-2': field effective: '2025-02-30' is not a day (2024-06-11),"
            " a month (2024-06), a year (2024) or on or before a day (../2024-06-11)",
        ),
        (
            "  - {id: acme-2, type: term.set, effective: 2025-02-01, term: a, summary: s,"
            " colour: red}\n",
            "event 'acme-2': unknown field 'colour'",
        ),
        (
            "  - {id: acme-2, type: term.renamed, effective: 2025-02-01}\n",
            "event 'acme-2': unknown event type 'term.renamed' (did you mean 'term.ended'?)",
        ),
        (
            "  - {type: term.set, effective: 2025-02-01, term: a}\n",
            "event #2: field id: required; field summary: required",
        ),
        (
            "  - {id: acme-2, agreement: other, type: note.recorded, effective: 2025-02-01,"
            " note: n}\n",
            "event 'acme-2': field agreement: 'other' is not this file's agreement 'acme'",
        ),
        (
            GOOD_TERM + GOOD_TERM,
            "event 'acme-2': field id: used twice in the file",
        ),
        (
            "  - {id: acme-2, type: term.set, effective: 2025-02-01, term: a, summary: s,"
            " value: {n: .nan}}\n",
            "event 'acme-2': field value: numbers must be finite (no NaN or infinity)",
        ),
        (
            "  - {id: acme-2, type: term.set, effective: 2025-02-01, term: a, summary: s,"
            " expires: 2025-01-01}\n",
            "event 'acme-2': expires 2025-01-01 is before effective 2025-02-01",
        ),
        (
            "  - {id: acme-2, type: note.recorded, effective: 2025-02-01, note: n,"
            " sources: [{source: nowhere}]}\n",
            "event 'acme-2': field sources.0.source: unknown source 'nowhere'",
        ),
    ],
)
def test_bad_event_names_file_event_and_field_and_writes_nothing(
    tracker: Tracker, tmp_path: Path, events: str, message: str
) -> None:
    path = write(tmp_path, events)

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value) == f"{path}: {message}"
    assert tracker.store.agreements() == []


def test_every_problem_of_a_file_is_reported_at_once(tracker: Tracker, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "  - {id: acme-2, type: term.set, effective: 2025-02-01, term: a, summry: s}\n"
        "  - {id: acme-3, type: term.change, effective: 2025-02-01}\n"
        "  - {id: acme-4, type: term.ended, effective: 2025-02-01, term: a, reason: because}\n",
    )

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value) == (
        f"{path}: event 'acme-2': unknown field 'summry' (did you mean 'summary'?); "
        "event 'acme-3': unknown event type 'term.change' (did you mean 'term.set'?); "
        "event 'acme-4': field reason: 'because' is not allowed: use 'expired', 'terminated', "
        "'waived' or 'superseded'"
    )
    assert tracker.store.agreements() == []


def test_problems_past_the_limit_are_counted(tracker: Tracker, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "".join(
            f"  - {{id: n{i}, type: note.recorded, effective: 2025-02-01}}\n" for i in range(12)
        ),
    )

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value).endswith("event 'n9': field note: required; and 2 more")


def test_malformed_yaml_names_line_and_column(tracker: Tracker, tmp_path: Path) -> None:
    path = write(tmp_path, "  - {id: [unclosed\n")

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value).startswith(f"{path}: invalid YAML at line 9, column 1")


def test_yaml_aliases_are_refused(tracker: Tracker, tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text('a: &a ["x", "x"]\nb: &b [*a, *a]\nc: [*b, *b]\n', encoding="utf-8")

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert (
        str(raised.value)
        == f"{path}: invalid YAML at line 2, column 8: YAML aliases are not allowed"
    )


def test_non_utf8_file_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"agreement: caf\xe9\n")

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value) == f"{path}: not UTF-8 text (byte 14)"


def test_missing_source_text_is_refused(tracker: Tracker, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_TERM)
    (tmp_path / "memo.txt").unlink()

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value) == (
        f"{path}: source 'memo': field file: 'memo.txt': cannot read: No such file or directory"
    )


def test_reused_id_with_other_content_is_rejected_whole(tracker: Tracker, tmp_path: Path) -> None:
    tracker.import_file(write(tmp_path, GOOD_TERM))
    changed = GOOD_TERM.replace("Ten a day", "Eleven a day")
    extra = "  - {id: acme-9, type: note.recorded, effective: 2025-02-02, note: n}\n"

    with pytest.raises(EventConflictError):
        tracker.import_file(write(tmp_path, extra + changed))

    assert [r.event.id for r in tracker.store.read("acme")] == ["acme-1", "acme-2"]


def test_correction_of_a_missing_event_is_rejected(tracker: Tracker, tmp_path: Path) -> None:
    correction = (
        "  - {id: acme-3, type: event.corrected, effective: 2025-03-01, target: ghost,"
        " reason: typo, replacement: {type: note.recorded, effective: 2025-02-01, note: n}}\n"
    )

    with pytest.raises(InvalidEventError) as raised:
        tracker.import_file(write(tmp_path, correction))

    assert (
        str(raised.value)
        == f"{tmp_path / 'acme.yaml'}: event 'acme-3' refers to unknown event 'ghost' in 'acme'"
    )
    assert tracker.store.agreements() == []


def test_sql_metacharacters_are_stored_verbatim(tracker: Tracker, tmp_path: Path) -> None:
    text = "Robert'); DROP TABLE events;-- \" %s ? \\ $1 `x`"
    fields = f"id: acme-2, type: note.recorded, effective: 2025-02-01, note: {json.dumps(text)}"
    note = f"  - {{{fields}}}\n"

    tracker.import_file(write(tmp_path, note))

    assert tracker.store.read("acme")[1].event.note == text


def test_a_source_id_used_twice_names_the_source(tracker: Tracker, tmp_path: Path) -> None:
    header = HEADER.replace("sources:\n", "sources:\n  - {id: memo, title: Other memo}\n")
    path = write(tmp_path, GOOD_TERM, header)

    with pytest.raises(FileFormatError) as raised:
        tracker.import_file(path)

    assert str(raised.value) == f"{path}: source 'memo': field id: used twice in the file"


@pytest.mark.slow
def test_an_import_of_5000_amendments_to_one_term_writes_them_all(
    tracker: Tracker, tmp_path: Path
) -> None:
    """Whether each amendment applies to a term in force is decided on the term's sets and
    ends alone, with one fold for the whole file: the import is linear in its amendments
    (benchmarks/appends.py measures it)."""
    amendments = "".join(
        f"  - {{id: a{n}, type: term.amended, effective: {dt.date(2025, 3, 1) + dt.timedelta(n)},"
        f" term: supply.volume, changes: {{per_day: {n}}}}}\n"
        for n in range(5000)
    )
    unsourced = "  - {id: acme-2, type: term.set, effective: 2025-02-01, term: supply.volume," \
        " summary: Ten a day, value: {per_day: 10}}\n"  # fmt: skip

    result = tracker.import_file(write(tmp_path, unsourced + amendments))

    assert (result.written, result.skipped, result.version) == (5002, 0, 5002)
    state = tracker.state("acme", dt.date(2040, 1, 1))
    assert state.terms["supply.volume"].value == {"per_day": 4999}
