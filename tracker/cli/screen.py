"""The terminal a table is drawn for (width, colour, wrapping) and the drawing itself, with rich.

rich is imported only when something is drawn, so that `tracker --help` stays fast. Every text
that reaches the terminal goes through `visible` first: records may hold control characters.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeAlias, Union

import click
import msgspec

from tracker.cli.app import WIDE_KEY
from tracker.core.text import visible

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from rich.table import Table
    from rich.text import Text

Cell: TypeAlias = Union[str, "Text"]
Row: TypeAlias = Sequence[Cell]

# A column whose every cell is this short never wraps (dates, counts, certainties).
SHORT = 12
UNBOUNDED = 100_000
# Below this many columns (or a third of the width) for its summary, a row's summary goes
# under it.
STACK = 24
LEFT = (0, 0, 0, 2)


class Screen(msgspec.Struct, frozen=True):
    """Where output goes: its width in columns, whether to colour, whether to wrap."""

    width: int
    color: bool = False
    wide: bool = False


def current() -> Screen:
    """The terminal's width (COLUMNS first), colour unless NO_COLOR or not a terminal, and
    `--wide` from the command line."""
    width = max(shutil.get_terminal_size((80, 24)).columns, 20)
    ctx = click.get_current_context(silent=True)
    wide = bool(ctx is not None and ctx.find_root().meta.get(WIDE_KEY))
    wanted = sys.stdout.isatty() or bool(os.environ.get("FORCE_COLOR"))
    color = wanted and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    return Screen(width, color, wide)


def styled(text: str, style: str = "") -> Text:
    """A piece of text from anywhere (made visible), with a style for colour terminals."""
    from rich.text import Text

    return Text(visible(text), style=style)


def lines(texts: Iterable[str]) -> Text | None:
    """Several texts as one cell, one per line; None when there are none."""
    from rich.text import Text

    parts = [visible(t) for t in texts]
    return Text("\n".join(parts)) if parts else None


def _text(cell: Cell | None) -> Text:
    from rich.text import Text

    if cell is None:
        return Text("")
    return styled(cell) if isinstance(cell, str) else cell


def _width(cell: Cell | None) -> int:
    """The display width of a cell: its widest line, wide (CJK) characters counted twice."""
    from rich.cells import cell_len

    return max(cell_len(line) for line in _text(cell).plain.split("\n"))


class Grid(msgspec.Struct, frozen=True):
    """A table without borders, indented by two, sized when drawn. Short columns never wrap;
    the last long column (a summary) takes what is left, and the other long ones (keys, ids)
    wrap only when the terminal is too narrow for them. When too little is left for the
    summary, it goes under its row, indented, with the whole width to itself."""

    headers: Sequence[str]
    rows: Sequence[Row]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.padding import Padding

        room = options.max_width - 2
        natural = self._natural()
        flex = self._flex(natural)
        if flex is None and _least(natural) > room:
            yield from self._records()
            return
        if flex is None or self._flex_room(natural, flex, room) >= max(STACK, room // 3):
            yield Padding(
                self._table(_widths(self.headers, natural, room), range(len(natural))), LEFT
            )
            return
        others = [i for i in range(len(natural)) if i != flex]
        if _least([natural[i] for i in others]) > room:
            yield from self._records()
            return
        widths = _settled([self.headers[i] for i in others], [natural[i] for i in others], room)
        for n, row in enumerate(self.rows):
            yield Padding(self._table(widths, others, [row], header=n == 0), LEFT)
            yield Padding(_text(row[flex]), (0, 0, 0, 6))

    def _records(self) -> Iterator[RenderableType]:
        """Each row as lines of `HEADER  value`, for terminals too narrow for columns."""
        for n, row in enumerate(self.rows):
            if n:
                yield ""
            yield pairs([(styled(h, "bold"), c) for h, c in zip(self.headers, row, strict=True)], 2)

    def _natural_of(self, column: int) -> int:
        """One column's width if nothing wrapped."""
        cells = [self.headers[column], *(r[column] for r in self.rows)]
        return max(_width(c) for c in cells)

    def _natural(self) -> list[int]:
        """Each column's width if nothing wrapped."""
        return [self._natural_of(i) for i in range(len(self.headers))]

    @staticmethod
    def _flex(natural: Sequence[int]) -> int | None:
        """The column that wraps first: the last one too long to be short."""
        long = [i for i, n in enumerate(natural) if n > SHORT]
        return long[-1] if long else None

    @staticmethod
    def _flex_room(natural: Sequence[int], flex: int, room: int) -> int:
        """How wide the flexible column could be with the others at their natural width."""
        others = sum(n for i, n in enumerate(natural) if i != flex)
        return room - others - 2 * (len(natural) - 1)

    def _table(
        self,
        widths: Sequence[int | None],
        columns: Sequence[int],
        rows: Sequence[Row] | None = None,
        header: bool = True,
    ) -> Table:
        """The rich table of the given columns, each at its width (None: rich decides)."""
        from rich.table import Table

        table = Table(
            box=None, padding=(0, 2, 0, 0), pad_edge=False, header_style="bold", show_header=header
        )
        for i, width in zip(columns, widths, strict=True):
            short = self._natural_of(i) <= SHORT
            table.add_column(self.headers[i], no_wrap=short, overflow="fold", width=width)
        for row in self.rows if rows is None else rows:
            table.add_row(*(_text(row[i]) for i in columns))
        return table


def _least(natural: Sequence[int]) -> int:
    """The narrowest these columns can be drawn without cutting: short ones whole, long ones
    folded to eight columns."""
    return sum(n if n <= SHORT else min(n, 8) for n in natural) + 2 * (len(natural) - 1)


def _settled(headers: Sequence[str], natural: Sequence[int], room: int) -> list[int | None]:
    """Widths for these columns with none left to rich, so that tables drawn one row at
    a time line up."""
    widths = _widths(headers, natural, room)
    taken = sum(w for w in widths if w is not None) + 2 * (len(widths) - 1)
    return [
        max(4, min(n, room - taken)) if w is None else w
        for w, n in zip(widths, natural, strict=True)
    ]


def _widths(headers: Sequence[str], natural: Sequence[int], room: int) -> list[int | None]:
    """Short columns at their width; the flexible one left to rich; the other long ones
    at their width, or shrunk in proportion when they would not leave it enough room."""
    flex = Grid._flex(natural)
    if flex is None:
        return list(natural)
    keys = [i for i, n in enumerate(natural) if n > SHORT and i != flex]
    room -= 2 * (len(natural) - 1) + sum(n for n in natural if n <= SHORT)
    budget = room - min(natural[flex], max(16, room // 3))
    wanted = sum(natural[i] for i in keys)
    widths: list[int | None] = [n if n <= SHORT else None for n in natural]
    for i in keys:
        share = natural[i] if wanted <= budget else budget * natural[i] // wanted
        widths[i] = max(share, len(headers[i]), 4)
    return widths


def grid(headers: Sequence[str], rows: Sequence[Row]) -> RenderableType:
    """A table (see Grid), or `  (none)` when there are no rows."""
    return Grid(headers, rows) if rows else styled("  (none)")


def pairs(rows: Sequence[tuple[Cell, Cell]], indent: int = 0) -> RenderableType:
    """Two columns without headers: a short label, and text that wraps under itself."""
    from rich.padding import Padding
    from rich.table import Table

    table = Table.grid(padding=(0, 1, 0, 0))
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    for label, text in rows:
        table.add_row(_text(label), _text(text))
    return Padding(table, (0, 0, 0, indent))


def render(*parts: RenderableType, screen: Screen | None = None) -> str:
    """Draw the parts one under the other for the screen; text parts are made visible."""
    from rich.console import Console

    screen = screen or current()
    out = io.StringIO()
    console = Console(
        file=out,
        width=UNBOUNDED if screen.wide else screen.width,
        color_system="standard" if screen.color else None,
        force_terminal=screen.color,
        no_color=not screen.color,
        highlight=False,
        markup=False,
        emoji=False,
        legacy_windows=False,
    )
    for part in parts:
        console.print(styled(part) if isinstance(part, str) else part, overflow="fold")
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines())


# Numbers from this many up are grouped by thousands for people; below it they stay as
# written, so that years (2030) and small amounts read as usual.
GROUPED = 10_000


def spelled(value: object) -> str:
    """A value as people read it: JSON, but with large numbers grouped by thousands
    (`100,000,000,000`); never for JSON or CSV, which scripts read."""
    import json
    import math

    if isinstance(value, dict):
        items = (f"{json.dumps(k, ensure_ascii=False)}: {spelled(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(spelled(v) for v in value) + "]"
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and math.isfinite(value) and abs(value) >= GROUPED:  # type: ignore[arg-type]
        return f"{value:,}"
    return json.dumps(value, ensure_ascii=False)
