"""Commands that show the record for people to look at: timeline, report, upcoming."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.app import (
    DATE,
    cli,
    db_option,
    emit,
    format_option,
    known_at_option,
    open_tracker,
    read_db_option,
    rows_format_option,
    today,
)

if TYPE_CHECKING:
    from tracker.core.upcoming import Coming


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--from", "start", type=DATE, default=None, help="First day shown (default: the first change)."
)
@click.option(
    "--to",
    "end",
    type=DATE,
    default=None,
    help="Last day shown (default: the last change or today, whichever is later).",
)
@known_at_option
@db_option
@read_db_option
@format_option
def timeline(
    agreement: str | None,
    start: dt.date | None,
    end: dt.date | None,
    known_at: dt.datetime | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """Each term over time: a bar for each period in force, proposals marked.

    Example: tracker timeline microsoft-openai --from 2024-01-01
    """
    from tracker.cli.timeline import timeline_chart, window
    from tracker.cli.views import timeline_json

    if start is not None and end is not None and end < start:
        raise click.BadParameter(f"--to {end} is before --from {start}", param_hint="--to")
    tracker = open_tracker(db_url)
    name = tracker.agreement(agreement)
    result = tracker.timeline(name, known_at)
    first, last = window(result, start, end, today())
    notes = [result.coverage.warning(last) if result.coverage else None]
    emit(
        fmt,
        lambda: timeline_json(result, first, last),
        lambda: timeline_chart(result, first, last),
        notes,
    )


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="The HTML file to write.",
)
@click.option("--as-of", type=DATE, default=None, help="Date of the explanations (default: today).")
@known_at_option
@db_option
@read_db_option
def report(
    agreement: str | None,
    output: Path,
    as_of: dt.date | None,
    known_at: dt.datetime | None,
    db_url: str | None,
) -> None:
    """One self-contained HTML page: timeline chart, state on a picked date, diff between
    two picked dates, each term's explanation with its quotes.

    Example: tracker report microsoft-openai --output mo.html
    """
    from tracker.cli.shapes import conflicts_json
    from tracker.report import html

    tracker = open_tracker(db_url)
    name = tracker.agreement(agreement)
    day = as_of or today()
    gathered = tracker.report(name, day, known_at)
    page = html(gathered, day, conflicts_json(gathered.conflicts))
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as e:
        raise click.ClickException(f"cannot write {output}: {e.strerror}") from e
    click.echo(f"wrote {output}", err=True)


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--within",
    default="90d",
    show_default=True,
    help="How far ahead to look for expiries: days, weeks, months or years (90d, 12w, 6m, 1y).",
)
@click.option("--as-of", type=DATE, default=None, help="Look from this date (default: today).")
@click.option(
    "--ical",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Also write the dates to this iCalendar (.ics) file.",
)
@known_at_option
@db_option
@read_db_option
@rows_format_option
def upcoming(
    agreement: str | None,
    within: str,
    as_of: dt.date | None,
    ical: Path | None,
    known_at: dt.datetime | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """What is coming across all agreements (or in AGREEMENT alone): expiries soonest first,
    then pending proposals and conditions still open.

    Example: tracker upcoming --within 6m --ical upcoming.ics
    """
    from tracker.cli.calendar import window_end
    from tracker.cli.tables import upcoming_sheets, upcoming_table
    from tracker.cli.views import upcoming_json

    start = as_of or today()
    try:
        until = window_end(start, within)
    except (ValueError, OverflowError) as e:
        raise click.BadParameter(str(e), param_hint="--within") from None
    tracker = open_tracker(db_url)
    only = None if agreement is None else tracker.agreement(agreement)
    items = tracker.upcoming(start, until, known_at, only)
    reach = tracker.coverages(known_at, only)
    if ical is not None:
        _write_ical(ical, items, start)
    notes = [f"{name}: {c.warning(start)}" for name, c in reach.items() if c.warning(start)]
    emit(
        fmt,
        lambda: upcoming_json(items, start, until, reach),
        lambda: upcoming_table(items, start, until, only),
        notes,
        lambda: upcoming_sheets(items, start),
    )


def _write_ical(path: Path, items: Sequence[Coming], as_of: dt.date) -> None:
    """Write the iCalendar file, or stop with a one-line error."""
    from tracker.cli.calendar import ical

    try:
        path.write_bytes(ical(items, as_of))
    except OSError as e:
        raise click.ClickException(f"cannot write {path}: {e.strerror}") from e
    click.echo(f"wrote {len(items)} entries to {path}", err=True)
