"""Rows as sheets: a command that shows rows defines its columns once, as sheets, and they are
drawn as a table, written as CSV (for spreadsheets and scripts) or as a GitHub Markdown table."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import msgspec

from tracker.cli.screen import Cell, Row, grid, styled
from tracker.core.text import visible

if TYPE_CHECKING:
    from rich.console import RenderableType


class Sheet(msgspec.Struct, frozen=True):
    """One titled table of rows; an optional one is left out when it has no rows."""

    title: str
    headers: Sequence[str]
    rows: Sequence[Row]
    optional: bool = False


def plain(cell: Cell | None) -> str:
    """A cell's text without its colours, made visible as in a table (no control character
    from a record reaches the terminal through CSV or Markdown either)."""
    if cell is None:
        return ""
    return visible(cell) if isinstance(cell, str) else cell.plain


def drawn(sheets: Sequence[Sheet], titled: bool = True) -> list[RenderableType]:
    """The sheets as parts of a table for `render`: each (titled in bold) after a blank line."""
    parts: list[RenderableType] = []
    for sheet in _shown(sheets):
        title = [styled(sheet.title, "bold")] if titled else []
        parts += [*([""] if parts else []), *title, grid(sheet.headers, sheet.rows)]
    return parts


def _shown(sheets: Sequence[Sheet]) -> list[Sheet]:
    return [s for s in sheets if s.rows or not s.optional]


def as_csv(sheets: Sequence[Sheet]) -> str:
    """One CSV: the header row, then every row. Several sheets share one header row (every
    sheet's columns, in order of first use, whether or not it has rows, so that a script
    sees the same columns every time) led by SECTION, the sheet's title."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if len(sheets) == 1:
        writer.writerow(sheets[0].headers)
        writer.writerows([plain(c) for c in row] for row in sheets[0].rows)
        return out.getvalue()
    headers = list(dict.fromkeys(h for s in sheets for h in s.headers))
    writer.writerow(["SECTION", *headers])
    for sheet in sheets:
        for row in sheet.rows:
            cells = dict(zip(sheet.headers, (plain(c) for c in row), strict=True))
            writer.writerow([sheet.title, *(cells.get(h, "") for h in headers)])
    return out.getvalue()


def as_markdown(sheets: Sequence[Sheet]) -> str:
    """GitHub tables, each under its title in bold when there are several."""
    shown = _shown(sheets)
    blocks = [_markdown_table(s) for s in shown]
    if len(shown) > 1:
        blocks = [f"**{s.title}**\n\n{b}" for s, b in zip(shown, blocks, strict=True)]
    return "\n".join(blocks)


def _markdown_table(sheet: Sheet) -> str:
    lines = [_markdown_row(sheet.headers), _markdown_row(["---"] * len(sheet.headers))]
    lines += [_markdown_row([plain(c) for c in row]) for row in sheet.rows]
    return "\n".join(lines) + "\n"


def _markdown_row(cells: Sequence[str]) -> str:
    escaped = [c.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>") for c in cells]
    return "| " + " | ".join(escaped) + " |"
