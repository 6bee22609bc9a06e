"""`tracker timeline` for people: one row per term, a bar for each period in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

import msgspec

from tracker.cli.screen import current, render, styled
from tracker.cli.shapes import timestamp
from tracker.cli.tables import CERTAINTY
from tracker.core.timeline import Period, Timeline

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.text import Text

BAR = {"confirmed": "━", "reported": "─", "rumored": "┄"}
CHANGED, EXPIRES, ENDED, GOES_ON = "│", "┤", "×", "→"
PENDING, RESOLVED = "◆", "◇"
LEGEND = (
    f"{BAR['confirmed']} confirmed  {BAR['reported']} reported  {BAR['rumored']} rumored  "
    f"{CHANGED} value changed  {EXPIRES} expired  {ENDED} ended  {GOES_ON} still in force  "
    f"{PENDING} proposal pending  {RESOLVED} proposal resolved"
)
MAX_WIDTH = 240  # a chart wider than this helps nobody


class Scale(msgspec.Struct, frozen=True):
    """Days to columns: `width` columns from `start` to `end`, both included."""

    start: dt.date
    end: dt.date
    width: int

    def column(self, day: dt.date) -> int:
        """The column a day falls in (days outside the range at the nearest edge)."""
        days = (self.end - self.start).days + 1
        offset = (min(max(day, self.start), self.end) - self.start).days
        return offset * self.width // days


class Chart(msgspec.Struct, frozen=True):
    """The timeline drawn for the width it is given."""

    timeline: Timeline
    start: dt.date
    end: dt.date
    width: int | None = None  # the terminal's, so that --wide (drawn unbounded) changes nothing

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = min(options.max_width, self.width or MAX_WIDTH)
        keys = self._keys()
        if not keys:
            yield styled("  (no term in force and no proposal in this range)")
            return
        label = min(max((len(k) for k in keys), default=4), max(8, width // 3))
        scale = Scale(self.start, self.end, max(width - label - 4, 10))
        for key in keys:
            yield from self._row(key, label, scale)
        yield _axis(scale, label)

    def _keys(self) -> list[str]:
        """The terms with a period or a proposal in the range."""
        keys = {
            key
            for key, periods in self.timeline.periods.items()
            if any(_overlaps(p, self.start, self.end) for p in periods)
        }
        keys |= {p.term for p in self.timeline.proposals if self.start <= p.since.last <= self.end}
        return sorted(keys)

    def _row(self, key: str, label: int, scale: Scale) -> Iterator[Text]:
        """The term's bar, its label folded over as many lines as it needs, and a line for
        its proposals under it."""
        cells = _blank(scale)
        previous: Period | None = None
        for period in self.timeline.periods.get(key, ()):
            if _overlaps(period, self.start, self.end):
                _draw(cells, period, previous, scale)
            previous = period
        marks = _blank(scale)
        for proposal in self.timeline.proposals:
            if proposal.term == key and self.start <= proposal.since.last <= self.end:
                mark = PENDING if proposal.resolution is None else RESOLVED
                marks[scale.column(proposal.since.last)] = (mark, "cyan")
        pieces = [key[i : i + label] for i in range(0, len(key), label)]
        yield _line(pieces[0], label, cells)
        if any(char != " " for char, _ in marks):
            yield _line("", label, marks)
        for piece in pieces[1:]:
            yield _line(piece, label, [])


def _blank(scale: Scale) -> list[tuple[str, str]]:
    return [(" ", "")] * scale.width


def _line(label: str, width: int, cells: list[tuple[str, str]]) -> Text:
    """A label, then the cells, each in its style."""
    from rich.text import Text

    line = Text("  " + label.ljust(width) + "  ")
    for char, style in cells:
        line.append(char, style)
    line.rstrip()
    return line


def _overlaps(period: Period, start: dt.date, end: dt.date) -> bool:
    return period.start <= end and (period.end is None or period.end >= start)


def _draw(
    cells: list[tuple[str, str]], period: Period, previous: Period | None, scale: Scale
) -> None:
    """One period's bar: its certainty's line, a break where the value changed, and how it
    ends (expired, ended, or still in force past the range)."""
    style = CERTAINTY.get(period.state.certainty, "")
    first = scale.column(period.start)
    last = scale.column(period.end or scale.end)
    for column in range(first, last + 1):
        cells[column] = (BAR[period.state.certainty], style)
    follows = previous is not None and previous.ended_by == "changed"
    if follows and period.start >= scale.start:
        cells[first] = (CHANGED, "")
    if period.end is None or period.end >= scale.end:
        cells[last] = (GOES_ON, style)
    elif period.ended_by == "expired":
        cells[last] = (EXPIRES, style)
    elif period.ended_by != "changed":
        cells[last] = (ENDED, "red")


def _axis(scale: Scale, label: int) -> Text:
    """Years (or months, for a short range) under the bars, evenly spaced, as many as fit."""
    from rich.text import Text

    line = [" "] * scale.width
    for day, name in _ticks(scale):
        column = scale.column(day)
        if column + len(name) <= scale.width:
            line[column : column + len(name)] = name
    return Text(" " * (label + 4) + "".join(line).rstrip(), style="dim")


def _ticks(scale: Scale) -> Iterator[tuple[dt.date, str]]:
    """Every year, or every 2, 5, 10… years so that labels keep apart; months in a range of
    under two years."""
    days = (scale.end - scale.start).days + 1
    if days < 730:
        step = next(s for s in (1, 2, 3, 6, 12) if s * 30 * scale.width / days >= 9)
        for n in range(0, (days // 28) + 2, 1):
            month = scale.start.month - 1 + n
            day = dt.date(scale.start.year + month // 12, month % 12 + 1, 1)
            if scale.start <= day <= scale.end and (month % step == 0):
                yield day, day.strftime("%Y-%m")
        return
    step = next((s for s in (1, 2, 5, 10, 20, 50, 100) if s * 365 * scale.width / days >= 6), 200)
    for year in range(scale.start.year, scale.end.year + 1):
        day = dt.date(year, 1, 1)
        if scale.start <= day and year % step == 0:
            yield day, str(year)


def window(
    timeline: Timeline, start: dt.date | None, end: dt.date | None, today: dt.date
) -> tuple[dt.date, dt.date]:
    """The range shown: from the first change (or --from) to the last change or today,
    whichever is later (or --to)."""
    dates = timeline.dates
    first = start or (dates[0] if dates else today)
    last = end or max(dates[-1] if dates else today, today)
    return first, max(last, first)


def timeline_chart(timeline: Timeline, start: dt.date, end: dt.date) -> str:
    """`tracker timeline` for people: a heading, the chart and its legend."""
    title = f"{timeline.agreement}: {timeline.title or '(not created yet)'}"
    when = f"{start} to {end}, as known at {timestamp(timeline.known_at)}"
    width = current().width
    chart: RenderableType = Chart(timeline, start, end, width) if timeline.states else "  (none)"
    return render(title, when, "", chart, "", styled(LEGEND, "dim"))
