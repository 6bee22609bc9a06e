"""The report agrees with the commands: for any log, the state its page shows for any day is
what `state --format json` says, and the diff it shows for any two days is what `diff` says."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_report_data import shown_on
from tests.test_terms_properties import append, as_of_dates, created, event
from tracker.cli.shapes import diff_json, state_json
from tracker.core.events import Event
from tracker.report import page_data
from tracker.service import Tracker

EXAMPLES = itertools.count()
PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def page_state(state: dict[str, Any]) -> dict[str, list[tuple[str, ...]]]:
    """What the page shows of a state, in the terms both sides write."""
    return {
        "terms": [(t["term"], t["summary"], t["since"], t["expires"], t["certainty"])
                  for t in state["terms"]],
        "pending": [(p["term"], p["event"], p["since"], p["certainty"]) for p in state["pending"]],
        "ended": [(t["term"], t["ended"], t["reason"]) for t in state["ended"]],
        "possible": [(p["term"], p["date"], p["change"], p["event"]) for p in state["possible"]],
    }  # fmt: skip


def json_state(state: dict[str, Any]) -> dict[str, list[tuple[str, ...]]]:
    """What `state --format json` says, in the same terms (its `certainty` of a possible change
    is the resulting term's, the page's that of the change, as the CLI's table shows it)."""
    return {
        "terms": [(k, t["summary"], t["since"], t["expires"] or "", t["certainty"])
                  for k, t in state["terms"].items()],
        "pending": [(p["term"], p["event"], p["since"], p["certainty"]) for p in state["pending"]],
        "ended": [(k, t["ended"], t["reason"]) for k, t in state["ended"].items()],
        "possible": [(k, p["date"], p["change"], p["event"]) for k, p in state["possible"].items()],
    }  # fmt: skip


def page_diff(diff: dict[str, Any] | None) -> dict[str, list[Any]]:
    """What the page shows of a diff (None: "Nothing changed between these dates")."""
    if diff is None:
        return {"changes": [], "proposals": [], "affirmed": []}
    return {
        "changes": [(c["term"], c["change"], c["events"], [line["name"] for line in c["lines"]])
                    for c in diff["changes"]],
        "proposals": [(p["term"], p["event"], p["change"]) for p in diff["proposals"]],
        "affirmed": [(a["term"], a["event"]) for a in diff["affirmed"]],
    }  # fmt: skip


def json_diff(diff: dict[str, Any]) -> dict[str, list[Any]]:
    """What `diff --format json` says, in the same terms (the page lists no field of a term
    that was added or ended)."""
    return {
        "changes": [(c["term"], c["change"], c["events"],
                     c["fields"] if c["before"] and c["after"] else [])
                    for c in diff["changes"]],
        "proposals": [(p["term"], p["event"], p["change"]) for p in diff["proposals"]],
        "affirmed": [(a["term"], a["event"]) for a in diff["affirmed"]],
    }  # fmt: skip


def shown_diff(data: dict[str, Any], start: dt.date, end: dt.date) -> dict[str, Any] | None:
    i, j = shown_on(data, str(start)), shown_on(data, str(end))
    return None if i == j else dict(data["diffs"][f"{i}-{j}"])


@PROPERTY
@given(data=st.data())
def test_2_the_report_shows_what_state_and_diff_say_for_any_log_day_and_window(
    tracker: Tracker, data: st.DataObject
) -> None:
    example = next(EXAMPLES)
    agreement, keys = f"r{example}-deal", [f"r{example}.{k}" for k in ("price", "volume")]
    log: list[Event] = []
    append(tracker, [created(agreement)], log)
    for n in range(data.draw(st.integers(1, 25), label="events")):
        append(tracker, [event(data.draw, agreement, n, keys, log)], log)
    known_at = tracker.store.clock()
    today = data.draw(as_of_dates, label="today")

    shown = page_data(tracker.report(agreement, today, known_at), today)

    for day in data.draw(st.lists(as_of_dates, min_size=1, max_size=4), label="days"):
        state = json_state(state_json(tracker.state(agreement, day, known_at)))
        assert page_state(shown["states"][shown_on(shown, str(day))]) == state, day
    for _ in range(3):
        start, end = sorted(data.draw(st.lists(as_of_dates, min_size=2, max_size=2)))
        diff = json_diff(diff_json(tracker.diff(agreement, start, end, known_at)))
        assert page_diff(shown_diff(shown, start, end)) == diff, (start, end)
