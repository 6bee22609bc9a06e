"""Commands that read: state, diff, explain, log, agreements, conflicts, sources."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.cli.app import (
    DATE,
    TIMESTAMP,
    DefaultGroup,
    cli,
    db_option,
    emit,
    format_option,
    known_at_option,
    open_tracker,
    published_option,
    read_db_option,
    rows_format_option,
    today,
)

if TYPE_CHECKING:
    from tracker.cli.sheets import Sheet
    from tracker.service import LogView


@cli.command()
@click.argument("agreement", required=False)
@click.option("--as-of", type=DATE, default=None, help="Valid date (default: today).")
@known_at_option
@published_option
@db_option
@read_db_option
@rows_format_option
def state(
    agreement: str | None,
    as_of: dt.date | None,
    known_at: dt.datetime | None,
    published: dt.date | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """Terms in force, pending proposals and ended terms on a date.

    Example: tracker state microsoft-openai --as-of 2025-01-21 --format json
    """
    from tracker.cli.shapes import state_json

    tracker = open_tracker(db_url)
    name = tracker.agreement(agreement)
    result = tracker.state(name, as_of or today(), known_at, published)
    sources = tracker.sources(name)

    def as_table() -> str:
        from tracker.cli.tables import state_table  # JSON for scripts does not load the tables

        return state_table(result, sources)

    def as_sheets() -> list[Sheet]:
        from tracker.cli.tables import state_sheets

        return state_sheets(result, sources, people=False)

    notes = [result.coverage.warning(result.as_of) if result.coverage else None]
    emit(fmt, lambda: state_json(result, sources), as_table, notes, as_sheets)


@cli.command()
@click.argument("args", nargs=-1, metavar="[AGREEMENT] [FROM TO]")
@click.option("--as-of", type=DATE, default=None, help="With two --known-at: the valid date.")
@click.option(
    "--known-at",
    type=TIMESTAMP,
    multiple=True,
    help="Count only events recorded by then; give it twice (with --as-of) to see what was "
    "learned between two moments.",
)
@click.option(
    "--published-by",
    "published",
    type=DATE,
    multiple=True,
    help="Count only events citing a source published by then; give it twice (with --as-of) "
    "to see what the published record learned between two dates.",
)
@db_option
@read_db_option
@format_option
def diff(
    args: tuple[str, ...],
    as_of: dt.date | None,
    known_at: tuple[dt.datetime, ...],
    published: tuple[dt.date, ...],
    db_url: str | None,
    fmt: str | None,
) -> None:
    """What changed in the terms between two dates, and the events that changed them.

    Example: tracker diff 2025-01-20 2025-01-21

    Knowledge diff, what was learned about the terms on a date between two moments:
    tracker diff --as-of 2025-01-21 --known-at 2025-01-22 --known-at 2025-03-01

    What the published record learned about a date between two publication dates:
    tracker diff --as-of 2025-01-21 --published-by 2025-01-21 --published-by 2025-01-22
    """
    from tracker.cli.shapes import diff_json
    from tracker.cli.tables import diff_table

    _check_diff_usage(args, as_of, known_at, published)
    if as_of is not None:
        tracker = open_tracker(db_url)
        name = tracker.agreement(args[0] if args else None)
        if published:
            result = tracker.publication_diff(name, as_of, published[0], published[1])
        else:
            result = tracker.knowledge_diff(name, as_of, known_at[0], known_at[1])
    else:
        agreement, start, end = _diff_arguments(args)
        tracker = open_tracker(db_url)
        name = tracker.agreement(agreement)
        moment = known_at[0] if known_at else None
        result = tracker.diff(name, start, end, moment, published[0] if published else None)
    last = max(result.before.as_of, result.after.as_of)
    notes = [result.coverage.warning(last) if result.coverage else None]
    emit(fmt, lambda: diff_json(result), lambda: diff_table(result), notes)


def _diff_arguments(args: tuple[str, ...]) -> tuple[str | None, dt.date, dt.date]:
    """[AGREEMENT] FROM TO: the agreement is the first argument that is not a date, unless of
    two it starts with a digit: that is a mistyped FROM, to be told it is not a date."""
    mistyped = len(args) == 2 and args[0][:1].isdigit()
    agreement = None if mistyped or _is_date(args[0]) else args[0]
    dates = args[1:] if agreement is not None else args
    if len(dates) != 2:
        given = ", ".join(repr(d) for d in dates) or "none"
        raise click.UsageError(f"diff takes [AGREEMENT] FROM TO: two dates, got {given}")
    start, end = _date_argument("FROM", dates[0]), _date_argument("TO", dates[1])
    _in_order("FROM", start, "TO", end)
    return agreement, start, end


def _date_argument(name: str, text: str) -> dt.date:
    """A date argument, or a usage error naming it as `--as-of` names itself."""
    try:
        return DATE.convert(text, None, None)
    except click.BadParameter as e:
        e.param_hint = f"'{name}'"
        raise


def _is_date(text: str) -> bool:
    try:
        DATE.convert(text, None, None)
    except click.BadParameter:
        return False
    return True


def _in_order(first: str, start: dt.date | None, second: str, end: dt.date | None) -> None:
    """Refuse a window whose start is after its end, rather than compute something."""
    if start is not None and end is not None and start > end:
        raise click.UsageError(f"{first} {start} is after {second} {end}; swap them")


def _check_diff_usage(
    args: tuple[str, ...],
    as_of: dt.date | None,
    known_at: tuple[dt.datetime, ...],
    published: tuple[dt.date, ...],
) -> None:
    """Check the ways of calling diff before opening the database."""
    pairs = (len(known_at), len(published))
    if as_of is not None and (pairs not in ((2, 0), (0, 2)) or len(args) > 1):
        raise click.UsageError(
            "diff --as-of D takes [AGREEMENT] and exactly two --known-at or two --published-by"
        )
    for option, pair in (("--known-at", known_at), ("--published-by", published)):
        if as_of is not None and len(pair) == 2:
            _in_order(option, pair[0], option, pair[1])
    if as_of is None and (len(args) not in (2, 3) or max(pairs) > 1):
        raise click.UsageError(
            "diff takes [AGREEMENT] FROM TO (and at most one --known-at and one --published-by)"
        )


@cli.command()
@click.argument("args", nargs=-1, metavar="[AGREEMENT] TERM")
@click.option("--as-of", type=DATE, default=None, help="Valid date (default: today).")
@known_at_option
@published_option
@db_option
@read_db_option
@format_option
def explain(
    args: tuple[str, ...],
    as_of: dt.date | None,
    known_at: dt.datetime | None,
    published: dt.date | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """Why a term is what it is: its state and the events and quotes behind it.

    Example: tracker explain cloud.exclusivity --as-of 2025-01-21
    """
    from tracker.cli.shapes import explain_json
    from tracker.cli.tables import explain_table

    if len(args) not in (1, 2):
        raise click.UsageError("explain takes [AGREEMENT] TERM")
    tracker = open_tracker(db_url)
    name = tracker.agreement(args[0] if len(args) == 2 else None)
    result = tracker.explain(name, args[-1], as_of or today(), known_at, published)
    notes = [result.coverage.warning(result.as_of) if result.coverage else None]
    emit(fmt, lambda: explain_json(result), lambda: explain_table(result), notes)


@cli.command()
@click.argument("agreement", required=False)
@click.option("--from", "start", type=DATE, default=None, help="First effective date.")
@click.option("--to", "end", type=DATE, default=None, help="Last effective date.")
@click.option("--term", default=None, help="Only events about this term.")
@known_at_option
@published_option
@db_option
@read_db_option
@rows_format_option
def log(
    agreement: str | None,
    start: dt.date | None,
    end: dt.date | None,
    term: str | None,
    known_at: dt.datetime | None,
    published: dt.date | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """The agreement's events in effective order; retracted and corrected ones are marked.
    With --term, each event about the term with what it changed (like `git log -p`).

    Example: tracker log --from 2025-01-01 --term cloud.exclusivity
    """
    from tracker.cli.shapes import log_json
    from tracker.cli.tables import log_sheets, log_table

    _in_order("--from", start, "--to", end)
    tracker = open_tracker(db_url)
    name = tracker.agreement(agreement)

    def as_json() -> list[dict[str, object]]:
        if term is not None:
            return _term_log_json(tracker.log_view(name, start, end, term, known_at, published))
        history = tracker.history(name, start, end, term, known_at, published)
        return log_json(history.records, history.retracted)

    def view() -> LogView:
        return tracker.log_view(name, start, end, term, known_at, published)

    emit(fmt, as_json, lambda: log_table(view()), (), lambda: log_sheets(view(), people=False))


def _term_log_json(view: LogView) -> list[dict[str, object]]:
    """`tracker log --term KEY --format json`: each event, with the fields it changed in the
    term (`changed`: field, old and new, as the table's - and + lines)."""
    from tracker.cli.patches import term_changes
    from tracker.cli.shapes import log_json

    changes = term_changes(view.records, view.retracted, view.corrected, view.start)
    shown = [r for r in view.records if r.event.id in changes]
    return [{**row, "changed": changes[row["id"]]} for row in log_json(shown, view.retracted)]


@cli.command()
@db_option
@read_db_option
@rows_format_option
def agreements(db_url: str | None, fmt: str | None) -> None:
    """The agreements in the database, with their titles and versions; `default` marks the
    one commands use when AGREEMENT is omitted (see `tracker agreement default`).

    Example: tracker agreements --format json
    """
    from tracker.cli.shapes import agreements_json
    from tracker.cli.tables import agreements_sheets, agreements_table

    tracker = open_tracker(db_url)
    default = tracker.default_agreement()
    rows = [
        {**row, "default": row["agreement"] == default}
        for row in agreements_json(tracker.agreements())
    ]
    emit(
        fmt,
        lambda: rows,
        lambda: agreements_table(rows),
        (),
        lambda: agreements_sheets(rows, people=False),
    )


@cli.command()
@click.argument("agreement", required=False)
@known_at_option
@db_option
@read_db_option
@format_option
def conflicts(
    agreement: str | None, known_at: dt.datetime | None, db_url: str | None, fmt: str | None
) -> None:
    """Facts on which cited sources contradict each other, and facts resting on one source.

    Example: tracker conflicts microsoft-openai --format json
    """
    from tracker.cli.shapes import conflicts_json
    from tracker.cli.tables import conflicts_table

    tracker = open_tracker(db_url)
    data = conflicts_json(tracker.conflicts(tracker.agreement(agreement), known_at))
    emit(fmt, lambda: data, lambda: conflicts_table(data))


@cli.group(cls=DefaultGroup, default="list")
def sources() -> None:
    """The sources behind an agreement's facts, and checks of their quotes and texts.

    `tracker sources [AGREEMENT]` is `tracker sources list [AGREEMENT]`.

    Example: tracker sources verify microsoft-openai --dir events/
    """


@sources.command(name="list")
@click.argument("agreement", required=False)
@db_option
@read_db_option
@rows_format_option
def list_sources(agreement: str | None, db_url: str | None, fmt: str | None) -> None:
    """The sources, with how many facts each supports and contradicts.

    Example: tracker sources list microsoft-openai --format json
    """
    from tracker.cli.shapes import sources_json
    from tracker.cli.tables import sources_sheets, sources_table

    tracker = open_tracker(db_url)
    rows = sources_json(tracker.source_uses(tracker.agreement(agreement)))
    emit(fmt, lambda: rows, lambda: sources_table(rows), (), lambda: sources_sheets(rows, False))


@sources.command(name="verify")
@click.argument("agreement", required=False)
@click.option(
    "--dir",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Also compare the source files in this folder (beside the agreement file).",
)
@db_option
@read_db_option
def verify_sources(agreement: str | None, folder: Path | None, db_url: str | None) -> None:
    """Re-check every stored quote and every stored text's hash (and, with --dir, the texts
    on disk); exit 1 naming what no longer matches.

    Example: tracker sources verify microsoft-openai --dir events/
    """
    tracker = open_tracker(db_url)
    problems = tracker.verify_sources(tracker.agreement(agreement), folder)
    for problem in problems:
        click.echo(problem)
    if problems:
        found = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise click.ClickException(f"sources verify found {found}, listed above")
    click.echo("every stored quote and text matches", err=True)


@cli.command()
@click.argument("key", metavar="TERM")
@click.option("--as-of", type=DATE, default=None, help="Valid date (default: today).")
@known_at_option
@db_option
@read_db_option
@rows_format_option
def terms(
    key: str, as_of: dt.date | None, known_at: dt.datetime | None, db_url: str | None,
    fmt: str | None,
) -> None:  # fmt: skip
    """One term on a date in every agreement that has it (in force, ended, or possibly
    changed by an imprecise date).

    Example: tracker terms api.exclusivity --as-of 2025-01-21
    """
    from tracker.cli.shapes import terms_json

    tracker = open_tracker(db_url)
    day, moment = as_of or today(), tracker.store.moment(known_at)
    result = tracker.terms(key, day, moment)

    def as_table() -> str:
        from tracker.cli.tables import terms_table  # JSON for scripts does not load the tables

        return terms_table(key, day, moment, result)

    def as_sheets() -> list[Sheet]:
        from tracker.cli.tables import terms_sheets

        return terms_sheets(result, people=False)

    notes = [
        f"{e.agreement}: {warning}"
        for e in result
        if e.coverage and (warning := e.coverage.warning(day))
    ]
    emit(fmt, lambda: terms_json(key, day, moment, result), as_table, notes, as_sheets)
