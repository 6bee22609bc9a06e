"""Snapshots: when a stored fold answers a state, when it may not, and that a damaged one is
ignored rather than trusted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from tests.conftest import RECORD, Clock, whole_log_state
from tracker.cli.app import cli
from tracker.core.events import event_from_dict
from tracker.core.state import AgreementState
from tracker.errors import NotFoundError
from tracker.service import Tracker
from tracker.store import engines, snapshot_format, snapshots
from tracker.store.log import Replay
from tracker.store.tables import snapshots_table

AGREEMENT = "microsoft-openai"
LATE = dt.date(2031, 1, 1)
AFTER = dt.datetime(2030, 1, 1)  # later than every append of these tests


def _replayed(tracker: Tracker, as_of: dt.date, known_at: dt.datetime) -> AgreementState:
    """The state replayed from the whole log, no snapshot read."""
    return whole_log_state(AGREEMENT, tracker.store.read(AGREEMENT), as_of, known_at)


def _row(tracker: Tracker) -> dict[str, Any]:
    with tracker.store.engine.connect() as conn:
        row = conn.execute(sa.select(snapshots_table)).mappings().one()
    return dict(row)


def _set_row(tracker: Tracker, **values: Any) -> None:
    with tracker.store.engine.begin() as conn:
        conn.execute(sa.update(snapshots_table).values(**values))


def _uses_snapshot(tracker: Tracker, as_of: dt.date, known_at: dt.datetime = AFTER) -> bool:
    with tracker.store.read_for_state(AGREEMENT, as_of, known_at) as read:
        return not isinstance(read, Replay)


def _event(**data: Any) -> Any:
    return event_from_dict({"agreement": AGREEMENT, **data})


def _term_set(event_id: str, effective: str, summary: str) -> Any:
    return _event(id=event_id, type="term.set", effective=effective, term="cloud.extra",
                  summary=summary, value={"note": summary})  # fmt: skip


def test_snapshot_stores_the_fold_at_the_latest_version_and_its_last_day(
    shipped: Tracker,
) -> None:
    shipped.snapshot(AGREEMENT)

    row = _row(shipped)
    assert (row["agreement"], row["version"], row["cutoff"], row["format"]) == (
        AGREEMENT,
        29,
        dt.date(2025, 1, 21),
        2,
    )


def test_state_from_a_snapshot_is_the_replayed_state(shipped: Tracker) -> None:
    shipped.snapshot(AGREEMENT)

    answered = shipped.state(AGREEMENT, LATE, AFTER)

    assert _uses_snapshot(shipped, LATE)
    assert answered == _replayed(shipped, LATE, AFTER)
    assert sorted(answered.ended) == ["api.exclusivity", "ip.rights", "revenue.share"]


def test_a_snapshot_answers_no_date_before_its_cutoff(shipped: Tracker) -> None:
    shipped.snapshot(AGREEMENT)

    assert not _uses_snapshot(shipped, dt.date(2025, 1, 20))
    assert _uses_snapshot(shipped, dt.date(2025, 1, 21))


def test_a_snapshot_answers_nothing_known_before_its_version_was_recorded(
    shipped: Tracker,
) -> None:
    shipped.snapshot(AGREEMENT)
    head = shipped.store.read(AGREEMENT)[-1].recorded_at

    assert not _uses_snapshot(shipped, LATE, head - dt.timedelta(microseconds=1))
    assert _uses_snapshot(shipped, LATE, head)


def test_later_dated_events_recorded_after_it_are_folded_on(shipped: Tracker, clock: Clock) -> None:
    shipped.snapshot(AGREEMENT)
    shipped.append(AGREEMENT, [_term_set("extra-2026", "2026-03-01", "added in 2026")])

    answered = shipped.state(AGREEMENT, LATE, AFTER)

    assert _uses_snapshot(shipped, LATE)
    assert answered == _replayed(shipped, LATE, AFTER)
    assert answered.terms["cloud.extra"].summary == "added in 2026"


@pytest.mark.parametrize(
    "late_event",
    [
        {"id": "extra-back", "type": "term.set", "effective": "2024-05-01",
         "term": "cloud.extra", "summary": "back-dated", "value": {}},
        {"id": "extra-imprecise", "type": "term.set", "effective": "2025-01",
         "term": "cloud.extra", "summary": "some day of January 2025", "value": {}},
        {"id": "oracle-retracted", "type": "event.retracted", "effective": "2026-03-01",
         "target": "2024-06-11-oracle-capacity-blessing", "reason": "not so"},
        {"id": "proposal-settled", "type": "proposal.resolved", "effective": "2025-01",
         "proposal": "2025-01-21-agi-clause-waiver-considered", "resolution": "rejected"},
    ],
    ids=["back-dated", "imprecise", "retraction", "resolution-of-the-cutoff-month"],
)  # fmt: skip
def test_an_event_that_could_change_the_fold_sets_the_snapshot_aside(
    shipped: Tracker, late_event: dict[str, Any]
) -> None:
    shipped.snapshot(AGREEMENT)
    shipped.store.append(AGREEMENT, [_event(**late_event)])

    answered = shipped.state(AGREEMENT, LATE, AFTER)

    assert not _uses_snapshot(shipped, LATE)
    assert answered == _replayed(shipped, LATE, AFTER)


@pytest.mark.parametrize(
    "on_the_cutoff",
    [
        {"id": "extra-same-day", "type": "term.set", "effective": "2025-01-21",
         "term": "cloud.extra", "summary": "set on the cutoff", "value": {}},
        {"id": "proposal-settled", "type": "proposal.resolved", "effective": "2025-01-21",
         "proposal": "2025-01-21-agi-clause-waiver-considered", "resolution": "rejected"},
    ],
    ids=["term-set", "resolution"],
)  # fmt: skip
def test_an_event_from_the_cutoff_on_is_folded_on(
    shipped: Tracker, on_the_cutoff: dict[str, Any]
) -> None:
    shipped.snapshot(AGREEMENT)
    shipped.store.append(AGREEMENT, [_event(**on_the_cutoff)])

    answers = [shipped.state(AGREEMENT, day, AFTER) for day in (dt.date(2025, 1, 21), LATE)]

    assert _uses_snapshot(shipped, dt.date(2025, 1, 21))
    assert answers == [_replayed(shipped, day, AFTER) for day in (dt.date(2025, 1, 21), LATE)]


def test_the_snapshot_holds_for_what_was_known_before_such_an_event(
    shipped: Tracker, clock: Clock
) -> None:
    shipped.snapshot(AGREEMENT)
    before = clock.now
    shipped.append(AGREEMENT, [_term_set("extra-back", "2024-05-01", "back-dated")])

    assert _uses_snapshot(shipped, LATE, before)
    assert shipped.state(AGREEMENT, LATE, before) == _replayed(shipped, LATE, before)


@pytest.mark.parametrize(
    "damage",
    [
        {"body": "{not json"},
        {"body": "[]"},
        {"format": 1},
        {"version": 27},
        {"cutoff": dt.date(2024, 1, 1)},
        {"digest": "0" * 64},
    ],
    ids=["not-json", "not-an-object", "other-format", "other-version", "other-cutoff", "digest"],
)
def test_a_damaged_snapshot_is_ignored(shipped: Tracker, damage: dict[str, Any]) -> None:
    shipped.snapshot(AGREEMENT)
    _set_row(shipped, **damage)

    answered = shipped.state(AGREEMENT, LATE, AFTER)

    assert not _uses_snapshot(shipped, LATE)
    assert answered == _replayed(shipped, LATE, AFTER)


def test_a_snapshot_with_changed_content_is_ignored(shipped: Tracker) -> None:
    shipped.snapshot(AGREEMENT)
    body = _row(shipped)["body"]
    forged = body.replace("through 2030", "through 2099")
    _set_row(shipped, body=forged)

    answered = shipped.state(AGREEMENT, LATE, AFTER)

    assert forged != body
    assert not _uses_snapshot(shipped, LATE)
    assert answered == _replayed(shipped, LATE, AFTER)


def test_a_snapshot_that_reads_back_but_is_of_another_agreement_is_ignored(
    shipped: Tracker,
) -> None:
    shipped.snapshot(AGREEMENT)
    row = _row(shipped)
    body = row["body"].replace(f'"agreement":"{AGREEMENT}",', '"agreement":"other",', 1)
    head = shipped.store.read(AGREEMENT)[-1]
    head_hash = _head_hash(shipped, head.version)
    digest = snapshot_format.digest(AGREEMENT, row["version"], row["cutoff"], head_hash, body)
    _set_row(shipped, body=body, digest=digest)

    assert not _uses_snapshot(shipped, LATE)


def _head_hash(tracker: Tracker, version: int) -> str:
    from tracker.store.tables import events_table as t

    query = sa.select(t.c.hash).where(t.c.agreement == AGREEMENT, t.c.version == version)
    with tracker.store.engine.connect() as conn:
        return bytes(conn.execute(query).scalar_one()).hex()


def test_writing_the_snapshot_again_replaces_a_damaged_one(shipped: Tracker) -> None:
    shipped.snapshot(AGREEMENT)
    _set_row(shipped, body="{not json")

    shipped.snapshot(AGREEMENT)

    assert _uses_snapshot(shipped, LATE)
    assert shipped.state(AGREEMENT, LATE, AFTER) == _replayed(shipped, LATE, AFTER)


def test_appends_keep_a_snapshot_current_past_every_so_many_events(
    shipped: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped.snapshot(AGREEMENT)
    monkeypatch.setattr(snapshots, "EVERY", 3)
    events = [_term_set(f"extra-{n}", f"2026-01-{n:02d}", f"version {n}") for n in range(1, 8)]

    shipped.append(AGREEMENT, events[:2])
    kept = _row(shipped)
    shipped.append(AGREEMENT, events[2:4])
    folded_on = _row(shipped)
    shipped.append(AGREEMENT, events[4:])
    again = _row(shipped)

    assert (kept["version"], kept["cutoff"]) == (29, dt.date(2025, 1, 21))
    assert (folded_on["version"], folded_on["cutoff"]) == (33, dt.date(2026, 1, 4))
    assert (again["version"], again["cutoff"]) == (36, dt.date(2026, 1, 7))
    assert shipped.state(AGREEMENT, LATE, AFTER) == _replayed(shipped, LATE, AFTER)


def test_the_first_snapshot_of_a_short_log_is_taken_from_the_whole_log(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "EVERY", 3)
    created = {
        "id": "short-created",
        "agreement": "short",
        "type": "agreement.created",
        "effective": "2025-01-01",
        "title": "Short",
        "parties": [{"name": "A", "role": "b"}],
    }
    sets = [
        {
            "id": f"short-{n}",
            "agreement": "short",
            "type": "term.set",
            "term": "price",
            "effective": f"2025-01-0{n}",
            "summary": f"price {n}",
            "value": {},
        }
        for n in (2, 3)
    ]
    tracker.append("short", [event_from_dict(created)])

    tracker.append("short", [event_from_dict(data) for data in sets])

    row = _row(tracker)
    assert (row["agreement"], row["version"], row["cutoff"]) == ("short", 3, dt.date(2025, 1, 3))


def test_an_append_never_replays_a_long_log_for_a_snapshot(
    shipped: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshots, "EVERY", 3)
    later = [_term_set(f"extra-{n}", f"2026-01-0{n}", "later") for n in (1, 2, 3)]

    shipped.append(AGREEMENT, later)

    with shipped.store.engine.connect() as conn:
        assert conn.execute(sa.select(snapshots_table)).all() == []
    assert shipped.state(AGREEMENT, LATE, AFTER) == _replayed(shipped, LATE, AFTER)


def test_an_append_drops_a_snapshot_it_cannot_fold_on_until_db_snapshot_writes_one(
    shipped: Tracker, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped.snapshot(AGREEMENT)
    monkeypatch.setattr(snapshots, "EVERY", 2)

    shipped.append(AGREEMENT, [_term_set("extra-back", "2024-05-01", "back-dated")])
    shipped.append(AGREEMENT, [_term_set("extra-new", "2026-05-01", "later")])
    with shipped.store.engine.connect() as conn:
        dropped = conn.execute(sa.select(snapshots_table)).all()
    replayed = shipped.state(AGREEMENT, LATE, AFTER)
    shipped.snapshot(AGREEMENT)

    assert dropped == []
    assert replayed == _replayed(shipped, LATE, AFTER)
    assert (_row(shipped)["version"], _row(shipped)["cutoff"]) == (31, dt.date(2026, 5, 1))
    assert _uses_snapshot(shipped, LATE)
    assert shipped.state(AGREEMENT, LATE, AFTER) == replayed


def test_dropping_every_snapshot_changes_no_answer(shipped: Tracker) -> None:
    shipped.snapshot(AGREEMENT)
    with_snapshot = shipped.state(AGREEMENT, LATE, AFTER)

    with shipped.store.engine.begin() as conn:
        conn.execute(sa.delete(snapshots_table))

    assert shipped.state(AGREEMENT, LATE, AFTER) == with_snapshot


def test_snapshot_of_an_unknown_agreement_is_an_error(tracker: Tracker) -> None:
    with pytest.raises(NotFoundError, match="no agreement 'nobody'"):
        tracker.snapshot("nobody")


def test_db_snapshot_writes_every_agreement(sqlite_url: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(RECORD), "--db", sqlite_url], catch_exceptions=False)

    result = runner.invoke(cli, ["db", "snapshot", "--db", sqlite_url])
    again = runner.invoke(cli, ["db", "snapshot", AGREEMENT, "--db", sqlite_url])

    assert (result.exit_code, result.stdout, result.stderr) == (
        0,
        "",
        "wrote the snapshot of microsoft-openai\n",
    )
    assert (again.exit_code, again.stderr) == (0, "wrote the snapshot of microsoft-openai\n")


def test_db_snapshot_of_an_unknown_agreement_is_one_line(sqlite_url: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(RECORD), "--db", sqlite_url], catch_exceptions=False)

    result = runner.invoke(cli, ["db", "snapshot", "nobody", "--db", sqlite_url])

    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "Error: no agreement 'nobody' (agreements: microsoft-openai)\n",
    )


def test_the_snapshots_revision_goes_down_and_up_alone(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)

    engines.downgrade(engine, "0004")
    tables_below = sorted(sa.inspect(engine).get_table_names())
    engines.upgrade(engine)

    assert tables_below == ["alembic_version", "events", "sources", "term_events"]
    assert "snapshots" in sa.inspect(engine).get_table_names()
    engine.dispose()


def test_the_command_line_state_is_the_same_after_db_snapshot(sqlite_url: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(RECORD), "--db", sqlite_url], catch_exceptions=False)
    ask = ["state", "--as-of", "2031-01-01", "--known-at", "2030-01-01", "--db", sqlite_url]
    before = runner.invoke(cli, ask)

    runner.invoke(cli, ["db", "snapshot", "--db", sqlite_url], catch_exceptions=False)
    after = runner.invoke(cli, ask)

    assert (before.exit_code, after.exit_code) == (0, 0)
    assert after.stdout == before.stdout
    assert '"ended": {' in after.stdout
