"""Windows of time (`90d`, `12w`, `6m`, `1y`) and what is coming as an iCalendar file."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from tracker.core.dates import add_days, add_months, next_day
from tracker.core.text import visible
from tracker.core.upcoming import Coming

_WINDOW = re.compile(r"^(\d{1,4})([dwmy]?)$")


def window_end(start: dt.date, within: str) -> dt.date:
    """The last day of a window of `within` (days by default) starting on `start`.
    Raises ValueError when `within` is not a number with d, w, m or y."""
    match = _WINDOW.match(within.strip().lower())
    if match is None:
        raise ValueError(f"{within!r} is not a window such as 90d, 12w, 6m or 1y")
    count, unit = int(match[1]), match[2] or "d"
    if unit in "dw":
        return add_days(start, count * (7 if unit == "w" else 1))
    return add_months(start, count * (12 if unit == "y" else 1))


def _title(c: Coming) -> str:
    if c.kind == "expires":
        return f"{c.agreement}: {c.term} expires (last day in force)"
    if c.kind == "proposal":
        return f"{c.agreement}: {c.term} proposal pending"
    return f"{c.agreement}: {c.term} ends when {c.detail}"


def uid(c: Coming) -> str:
    """What names an entry for a subscriber, and nothing that may change under it (a date, a
    summary, a later amendment): the agreement, the kind, the term and the event that set the
    expiry, the condition or the proposal."""
    return f"{c.agreement}/{c.kind}/{c.term}/{c.event}@tracker"


def ical(items: Sequence[Coming], as_of: dt.date) -> bytes:
    """An iCalendar file: each expiry an all-day event, each pending proposal and open
    condition a to-do. Stamped with `as_of`, so the same question gives the same file."""
    from icalendar import Calendar, Event, Todo

    cal = Calendar()
    cal.add("prodid", "-//tracker//upcoming//EN")
    cal.add("version", "2.0")
    stamp = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
    for c in items:
        entry = Event() if c.kind == "expires" else Todo()
        entry.add("uid", uid(c))
        entry.add("dtstamp", stamp)
        entry.add("summary", visible(_title(c)))
        entry.add("description", visible(f"{c.summary} ({c.certainty}; event {c.event})"))
        if c.kind == "expires" and c.day is not None:
            entry.add("dtstart", c.day)
            entry.add("dtend", next_day(c.day) or c.day)  # "never" (9999-12-31) ends itself
        elif c.day is not None:
            entry.add("dtstart", c.day)
            entry.add("status", "NEEDS-ACTION")
        else:
            entry.add("status", "NEEDS-ACTION")
        cal.add_component(entry)
    return bytes(cal.to_ical())
