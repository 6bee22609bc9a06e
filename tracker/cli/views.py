"""JSON shapes of the views: the timeline and what is coming."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from tracker.cli.shapes import coverage_json, day, timestamp
from tracker.core.state import Coverage
from tracker.core.timeline import Period, Timeline
from tracker.core.upcoming import Coming


def _period_json(p: Period) -> dict[str, Any]:
    return {
        "start": day(p.start),
        "end": day(p.end),
        "ended_by": p.ended_by,
        "summary": p.state.summary,
        "value": dict(p.state.value),
        "certainty": p.state.certainty,
        "expires": day(p.state.expires),
        "ends_when": p.state.ends_when,
        # The tuple itself, written as a list: each period's extends the one before, so a
        # copy each would hold the square of a much-amended term's events.
        "events": p.state.events,
    }


def timeline_json(t: Timeline, start: Any, end: Any) -> dict[str, Any]:
    """`tracker timeline --format json`: each term's periods in force, and the proposals."""

    def inside(p: Period) -> bool:
        return p.start <= end and (p.end is None or p.end >= start)

    return {
        "agreement": t.agreement,
        "title": t.title,
        "from": day(start),
        "to": day(end),
        "known_at": timestamp(t.known_at),
        "terms": {
            key: [_period_json(p) for p in periods if inside(p)]
            for key, periods in t.periods.items()
            if any(inside(p) for p in periods)
        },
        "proposals": [
            {
                "event": p.event,
                "term": p.term,
                "summary": p.summary,
                "certainty": p.certainty,
                "since": day(p.since),
                "resolution": p.resolution,
                "resolved_by": p.resolved_by,
            }
            for p in t.proposals
            if start <= p.since.last <= end
        ],
        **coverage_json(t.coverage, end),
    }


def upcoming_json(
    items: Sequence[Coming],
    as_of: dt.date,
    until: dt.date,
    reach: Mapping[str, Coverage] | None = None,
) -> dict[str, Any]:
    """`tracker upcoming --format json`; with `reach`, how far each agreement's record
    reaches (`as_of` beyond it makes every item of that agreement a guess)."""
    return {
        "as_of": day(as_of),
        "until": day(until),
        "coverage": {
            name: coverage_json(c, as_of)["coverage"] for name, c in (reach or {}).items()
        },
        "items": [
            {
                "kind": c.kind,
                "date": c.written or day(c.day),
                "agreement": c.agreement,
                "term": c.term,
                "summary": c.summary,
                "condition": c.detail,
                "event": c.event,
                "certainty": c.certainty,
            }
            for c in items
        ],
    }
