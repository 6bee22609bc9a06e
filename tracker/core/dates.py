"""Imprecise dates: a day, a month, a year, or "on or before a day", as EDTF writes them.

The subset of the Library of Congress EDTF (ISO 8601-2) that reports need: `2024-06-11`,
`2024-06`, `2024` and `../2025-01-21`. Each is a range of days, kept with the text it was
written as, which is how it is always shown.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from typing import Any

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^\d{4}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OPEN_START = ".."
SUBSET = (
    "a day (2024-06-11), a month (2024-06), a year (2024) or on or before a day (../2024-06-11)"
)


class When:
    """A range of days, from `first` to `last` inclusive, and the text it was written as.

    Immutable and compared by value, like a frozen struct; a plain class, so that the
    stored events, which write a When as its text, decode it from that text."""

    __slots__ = ("first", "last", "text")
    text: str
    first: dt.date
    last: dt.date

    def __init__(self, text: str, first: dt.date, last: dt.date) -> None:
        set_ = object.__setattr__
        set_(self, "text", text)
        set_(self, "first", first)
        set_(self, "last", last)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a When cannot change ({name})")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, When):
            return NotImplemented
        return (self.text, self.first, self.last) == (other.text, other.first, other.last)

    def __hash__(self) -> int:
        return hash((self.text, self.first, self.last))

    def __reduce__(self) -> tuple[type[When], tuple[str, dt.date, dt.date]]:
        return When, (self.text, self.first, self.last)

    def __repr__(self) -> str:
        return f"When(text={self.text!r}, first={self.first!r}, last={self.last!r})"

    @classmethod
    def day(cls, day: dt.date) -> When:
        """An exact day."""
        return cls(day.isoformat(), day, day)

    @classmethod
    def parse(cls, value: Any) -> When:
        """Read a When from its text (or a date, or a year as a number); ValueError names the
        supported forms when the text is none of them."""
        if type(value) is str:  # the common case, and cached: logs repeat their dates
            return _parsed(value)
        if isinstance(value, When):
            return value
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return cls.day(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:04d}"
        if not isinstance(value, str):
            raise ValueError(f"a date is text: {SUBSET}")
        return _parsed(str(value))

    @property
    def exact(self) -> bool:
        """True for a single, known day."""
        return self.first == self.last

    @property
    def key(self) -> tuple[dt.date, dt.date]:
        """The order of changes in time: by the day by which the change had surely happened."""
        return (self.last, self.first)

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=8192)
def _parsed(text: str) -> When:
    """The When a text denotes (ValueError naming the supported forms otherwise)."""
    try:
        return _parse_text(text)
    except ValueError:
        raise ValueError(f"{text!r} is not {SUBSET}") from None


def _parse_text(text: str) -> When:
    if _DAY.match(text):
        day = dt.date.fromisoformat(text)
        return When(text, day, day)
    if text.startswith(OPEN_START + "/") and _DAY.match(text[3:]):
        return When(text, dt.date.min, dt.date.fromisoformat(text[3:]))
    month = _MONTH.match(text)
    if month:
        year, number = int(month[1]), int(month[2])
        last = calendar.monthrange(year, number)[1]  # ValueError for month 13
        return When(text, dt.date(year, number, 1), dt.date(year, number, last))
    if _YEAR.match(text) and int(text) > 0:
        return When(text, dt.date(int(text), 1, 1), dt.date(int(text), 12, 31))
    raise ValueError(text)


ONE_DAY = dt.timedelta(days=1)


def next_day(day: dt.date) -> dt.date | None:
    """The day after `day`; None after the calendar's last, 9999-12-31, which people write
    for "never": nothing happens after it."""
    return None if day == dt.date.max else day + ONE_DAY


def previous_day(day: dt.date) -> dt.date | None:
    """The day before `day`; None before the calendar's first."""
    return None if day == dt.date.min else day - ONE_DAY


def add_days(day: dt.date, days: int) -> dt.date:
    """`days` days after `day` (before it when negative), stopping at the calendar's ends."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it has no such day;
    9999-12-31 past the calendar's end."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def day_after(when: When) -> When:
    """The range of days just after each day of `when` (when an expiry takes effect); an
    imprecise one is written "on or before" its last day. Past the calendar's end, its last
    day stands for the day after."""
    last = next_day(when.last) or when.last
    if when.exact:
        return When.day(last)
    return When(f"{OPEN_START}/{last.isoformat()}", next_day(when.first) or when.first, last)
