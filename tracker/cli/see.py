"""Commands that show the record for people to look at: timeline, report, upcoming."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from tracker.cli.app import (
    DATE,
    cli,
    db_option,
    emit,
    fail,
    format_option,
    known_at_option,
    open_tracker,
    today,
)


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
    emit(
        fmt, lambda: timeline_json(result, first, last), lambda: timeline_chart(result, first, last)
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
    page = html(gathered, day, conflicts_json(name, gathered.facts, gathered.sources))
    try:
        output.write_text(page, encoding="utf-8")
    except OSError as e:
        fail(f"cannot write {output}: {e.strerror}")
    click.echo(f"wrote {output}", err=True)
