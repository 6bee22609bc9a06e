"""The report's timeline chart: terms across, time along, as shapes an SVG template draws."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec

from tracker.core.dates import add_days, next_day
from tracker.core.state import Proposal
from tracker.core.text import visible
from tracker.core.timeline import Mark, Period, Timeline

ONE_DAY = dt.timedelta(days=1)
TOP = 12
BAR = 14
AXIS = 28


class Layout(msgspec.Struct, frozen=True):
    """Where things go in the SVG's units: term keys left of the bars (wide), or above them
    (narrow, for a phone, where the chart is drawn about as many pixels wide as it has units)."""

    width: int
    label: int  # where the bars start; the keys end just left of it, or sit above the bars
    right: int
    row: int
    bar: int  # from a row's top to its bar's
    ticks: int  # at most about this many year labels

    @property
    def above(self) -> bool:
        """True when the keys sit above the bars."""
        return self.bar > 0


WIDE = Layout(1000, 230, 24, 34, 0, 12)
NARROW = Layout(360, 10, 16, 44, 16, 6)


class Bar(msgspec.Struct, frozen=True):
    """A period in force: where it is, its certainty, how it ends, what it said."""

    x: float
    y: float
    width: float
    certainty: str
    end: str  # "open", "expired", "ended" or "changed"
    title: str
    maybe: tuple[tuple[float, float], ...] = ()  # (x, width): days it may or may not cover

    @property
    def solid(self) -> float:
        """The width of the days it surely covers: up to where its ending may fall."""
        tails = [x for x, _ in self.maybe if x > self.x]
        return round(min(tails) - self.x, 1) if tails else self.width


class Marker(msgspec.Struct, frozen=True):
    """An event (dot) or a proposal (diamond, filled while pending) on a term's row."""

    x: float
    y: float
    kind: str  # "event", "pending" or "resolved"
    title: str


class Row(msgspec.Struct, frozen=True):
    """One term: its key, where its row is, its bars and markers."""

    key: str
    y: float
    bars: tuple[Bar, ...]
    markers: tuple[Marker, ...]


class Chart(msgspec.Struct, frozen=True):
    """The whole chart, in the units of the SVG's viewBox."""

    width: int
    height: int
    rows: tuple[Row, ...]
    ticks: tuple[tuple[float, str], ...]
    today: float | None
    axis_y: float
    label: int = WIDE.label
    above: bool = False  # the term keys sit above the bars
    beyond: float | None = None  # where the days after the record's reach begin
    beyond_title: str = ""


class Scale(msgspec.Struct, frozen=True):
    """Dates to x, from `start` to `end`."""

    start: dt.date
    end: dt.date
    layout: Layout = WIDE

    def x(self, day: dt.date) -> float:
        """Where a day falls, clamped to the chart."""
        days = max((self.end - self.start).days, 1)
        share = (min(max(day, self.start), self.end) - self.start).days / days
        room = self.layout.width - self.layout.label - self.layout.right
        return round(self.layout.label + share * room, 1)


def _maybe(period: Period, scale: Scale) -> tuple[tuple[float, float], ...]:
    """The days a period may or may not cover, its dates being imprecise: before its start,
    those its beginning may fall on; up to its end, those its ending may fall on."""
    spans = []
    if period.began is not None and period.began.first < period.start:
        spans.append((period.began.first, period.start))
    if period.until is not None and period.end is not None:
        first = max(period.until.first, period.start)
        if first <= period.end:
            spans.append((first, period.end + ONE_DAY))
    shown = ((scale.x(a), scale.x(b)) for a, b in spans)
    return tuple((left, round(right - left, 1)) for left, right in shown if right > left)


def _bar(period: Period, scale: Scale, y: float) -> Bar:
    end = period.end or scale.end
    left, right = scale.x(period.start), scale.x(next_day(end) or end)
    closing = "open" if period.end is None else (period.ended_by or "open")
    if closing not in ("open", "expired", "changed"):
        closing = "ended"
    state = period.state
    began = period.began or period.start
    ended = f"{period.until} ({period.ended_by})" if period.until else period.end
    until = f"until {ended}" if period.end else "in force"
    title = f"{state.summary} — from {began}, {until}; {state.certainty}"
    gap = 2.0 if closing == "changed" else 0.0  # a break in the bar where the value changed
    width = max(right - left - gap, 2.0)
    return Bar(left, y, width, state.certainty, closing, visible(title), _maybe(period, scale))


def _markers(
    key: str, marks: Sequence[Mark], proposals: Sequence[Proposal], scale: Scale, y: float
) -> tuple[Marker, ...]:
    dots = [
        Marker(scale.x(m.day), y, "event", visible(f"{m.day} {m.type} {m.event}"))
        for m in marks
        if m.term == key and m.type in ("term.set", "term.ended")
    ]
    diamonds = [
        Marker(
            scale.x(p.since.last),
            y,
            "pending" if p.resolution is None else "resolved",
            visible(
                f"{p.since} proposed: {p.summary}"
                + (f" ({p.resolution})" if p.resolution else " (pending)")
            ),
        )
        for p in proposals
        if p.term == key
    ]
    return (*dots, *diamonds)


def _ticks(scale: Scale) -> tuple[tuple[float, str], ...]:
    """A label on 1 January of every year (or every few years, so that the layout's fit)."""
    years = scale.end.year - scale.start.year + 1
    most = scale.layout.ticks
    step = next((s for s in (1, 2, 5, 10, 20, 50) if years / s <= most), 100)
    return tuple(
        (scale.x(dt.date(year, 1, 1)), str(year))
        for year in range(scale.start.year, scale.end.year + 1)
        if year % step == 0 and dt.date(year, 1, 1) >= scale.start
    )


def chart(timeline: Timeline, today: dt.date, layout: Layout = WIDE) -> Chart:
    """The chart of the whole timeline, up to today or the last change, whichever is later."""
    dates = timeline.dates or (today,)
    span = max(dates[-1], today) - dates[0]
    scale = Scale(dates[0], add_days(max(dates[-1], today), span.days // 40), layout)
    keys = sorted({*timeline.periods, *(p.term for p in timeline.proposals)})
    rows = []
    for n, key in enumerate(keys):
        y = TOP + n * layout.row
        bar = y + layout.bar
        bars = tuple(_bar(p, scale, bar) for p in timeline.periods.get(key, ()))
        marks = _markers(key, timeline.marks, timeline.proposals, scale, bar + BAR / 2)
        rows.append(Row(key, y, bars, marks))
    axis = TOP + len(keys) * layout.row
    inside = scale.start <= today <= scale.end
    reach = timeline.coverage
    after = next_day(reach.through.last) if reach and reach.through else None
    return Chart(
        layout.width,
        int(axis + AXIS),
        tuple(rows),
        _ticks(scale),
        scale.x(today) if inside else None,
        axis,
        label=layout.label,
        above=layout.above,
        beyond=scale.x(after) if after is not None and after < scale.end else None,
        beyond_title=visible(reach.message or "") if reach else "",
    )
