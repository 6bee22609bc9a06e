"""Property: one stored value rewritten into another spelling of the same value (a date, a
moment, a payload's JSON with other white space, key order or number spelling) is refused by
reads or named by `verify`, in random logs with snapshots; a date or moment (SQLite's text),
which reads filter and sort on, is both; untouched, they verify clean."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.test_snapshots_properties import NAMES, _build, steps
from tracker.errors import IntegrityError
from tracker.service import Tracker
from tracker.store import guards, snapshots
from tracker.store.driver import Cursor


def moment_spellings(text: str) -> list[str]:
    """Other texts Python reads as the same moment as the store's `text`."""
    return [
        text.replace(" ", "T"),
        text.replace("-", "").replace(":", "").replace(" ", "T"),
        text.replace(".", ","),
        f"{text}\x00",
    ]


def day_spellings(text: str) -> list[str]:
    """Other texts Python reads as the same day as the store's `text`."""
    year, week, weekday = dt.date.fromisoformat(text).isocalendar()
    return [text.replace("-", ""), f"{year:04d}-W{week:02d}-{weekday}", f"{year:04d}W{week:02d}"
            f"{weekday}"]  # fmt: skip


def payload_spellings(text: str) -> list[str]:
    """Other JSON texts of the same payload: white space, key order, a number's spelling."""
    data = json.loads(text)
    spelled = [
        json.dumps(data, ensure_ascii=False),
        json.dumps(dict(reversed(data.items())), ensure_ascii=False, separators=(",", ":")),
    ]
    number = re.search(r":(\d+)([,}])", text)
    if number is not None:
        whole = number.group(1)
        for other in (f"{whole}.0", f"{whole}e0"):
            spelled.append(f"{text[: number.start(1)]}{other}{text[number.end(1) :]}")
    return [s for s in spelled if s != text and json.loads(s) == data]


def rewrite(tracker: Tracker, sql: str, params: dict[str, Any]) -> None:
    """One UPDATE behind the tracker's back, the guards put back after it."""
    with tracker.store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for guard in guards.SQLITE:
                conn.exec_driver_sql(f"DROP TRIGGER {guard.name}")
        else:
            conn.exec_driver_sql("ALTER TABLE events DISABLE TRIGGER events_no_update_delete")
        conn.execute(sa.text(sql), params)
        guards.restore(Cursor.of(conn))


def refused(tracker: Tracker, agreement: str) -> bool:
    """Whether a read of the whole log, or of its state today, refuses the agreement."""
    try:
        tracker.store.read(agreement)
        tracker.state(agreement, as_of=dt.date(2100, 1, 1))
    except IntegrityError:
        return True
    return False


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(plan=steps(), data=st.data())
def test_a_value_in_another_spelling_is_named_by_verify_or_refused_and_a_date_is_both(
    tracker: Tracker,
    monkeypatch: pytest.MonkeyPatch,
    plan: list[dict[str, Any] | None],
    data: st.DataObject,
) -> None:
    agreement = f"acme-{next(NAMES)}"
    monkeypatch.setattr(snapshots, "EVERY", 2)  # snapshots folded on, as appends write them
    _build(tracker.store, agreement, plan)
    untouched = tracker.check(agreement).problems
    sqlite = tracker.store.engine.dialect.name == "sqlite"
    columns = ["payload", *(["recorded_at", "effective"] if sqlite else [])]
    column = data.draw(st.sampled_from(columns))
    with tracker.store.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            f"SELECT position, {column} FROM events WHERE agreement = '{agreement}'"
        ).all()
    position, stored = data.draw(st.sampled_from(rows))
    spell = {"payload": payload_spellings, "recorded_at": moment_spellings,
             "effective": day_spellings}[column]  # fmt: skip
    options = spell(stored)
    assume(options)
    spelled = data.draw(st.sampled_from(options))

    update = f"UPDATE events SET {column} = :value WHERE position = :position"
    rewrite(tracker, update, {"value": spelled, "position": position})
    named = tracker.check(agreement).problems

    assert untouched == []
    if column == "payload":
        assert named != [] or refused(tracker, agreement)
    else:
        assert named != [] and refused(tracker, agreement)
