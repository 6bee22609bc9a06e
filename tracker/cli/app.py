"""The command group, the options and types its commands share, and error translation.

Only click and the standard library are imported at start-up, so `tracker --help` stays fast;
each command imports what it needs.
"""

from __future__ import annotations

import datetime as dt
import gc
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from tracker.cli.sheets import Sheet
    from tracker.service import Tracker

F = TypeVar("F", bound=Callable[..., Any])
_OPENED = "tracker.opened"  # the context's key for the tracker a command opened
_KEEP_NEW = "tracker.keep_new"  # and whether a database file it created is kept
WIDE_KEY = "tracker.wide"  # the root context's key for `--wide`
_DEBUG = "tracker.debug"  # and for `--debug`


DATE_FORMS = "YYYY-MM-DD, YYYY-MM (its last day), YYYY (its last day), today or yesterday"


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A calendar day: YYYY-MM-DD, a month or a year (its last day, as far as it reaches),
    `today` or `yesterday` (in UTC, as the default of --as-of)."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(value)
        except ValueError:
            self.fail(f"{value!r} is not a date: use {DATE_FORMS}", param, ctx)


def parse_day(text: str) -> dt.date:
    """The day a DATE names (see DateType); ValueError for anything else."""
    words = {"today": 0, "yesterday": 1}
    if text in words:
        return today() - dt.timedelta(days=words[text])
    if len(text) == 4 and text.isdigit():
        return dt.date(int(text), 12, 31)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        import calendar

        year, month = int(text[:4]), int(text[5:])
        return dt.date(year, month, calendar.monthrange(year, month)[1])
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise ValueError(text)
    return dt.date.fromisoformat(text)


class TimestampType(click.ParamType):  # type: ignore[type-arg]
    """An ISO 8601 time (UTC when no offset is given); a bare date means the end of that day."""

    name = "TIMESTAMP"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.datetime:
        try:
            if len(value) == 10:
                day = dt.date.fromisoformat(value)
                return dt.datetime.combine(day, dt.time.max)
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a timestamp (ISO 8601)", param, ctx)
        if moment.tzinfo is not None:
            try:
                moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
            except OverflowError:
                self.fail(f"{value!r} is out of range in UTC", param, ctx)
        return moment


DATE = DateType()
TIMESTAMP = TimestampType()


def today() -> dt.date:
    """Today's date in UTC, the default of --as-of."""
    return dt.datetime.now(dt.UTC).date()


# The module (in tracker.cli) of each command, imported only when the command is looked up:
# `tracker state` loads neither the writing commands nor the administration ones. Listing the
# commands (`tracker --help`, shell completion) imports them all for their help.
COMMANDS: dict[str, str] = {
    "agreement": "write",
    "agreements": "read",
    "conflicts": "read",
    "db": "admin",
    "diff": "read",
    "explain": "read",
    "export": "write",
    "import": "write",
    "init": "admin",
    "log": "read",
    "record": "write",
    "report": "see",
    "retract": "write",
    "schema": "admin",
    "sources": "write",  # the group is read's; write adds its `add` subcommand (and imports read)
    "state": "read",
    "terms": "read",
    "timeline": "see",
    "upcoming": "see",
    "verify": "admin",
}


class TrackerGroup(click.Group):
    """Loads each command's module when the command is looked up (see COMMANDS), and turns
    the tracker's errors, and the database's, into click's `Error: …` and status 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is not None:  # registers its commands on `cli` (once: it is then cached)
            importlib.import_module(f"tracker.cli.{module}")
        return super().get_command(ctx, cmd_name)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:  # bare `tracker`: its help, as git gives
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        for arg in args:  # every command's arguments pass here, once
            _check_text(arg)
        return super().parse_args(ctx, args)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        known = ctx.resilient_parsing or self.get_command(ctx, name) is not None
        if name and not name.startswith("-") and not known:
            ctx.fail(f"No such command {name!r}.{_suggestion(name, self.list_commands(ctx))}")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from tracker.errors import TrackerError

        failed = True
        try:
            result = super().invoke(ctx)
            failed = False
            return result
        except TrackerError as e:
            raise click.ClickException(str(e)) from e
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:
            from tracker.service import database_error

            message = database_error(e)
            if message is None:
                _show_traceback_when_debugging(ctx, e)
                raise
            raise click.ClickException(message) from e
        finally:
            _close_tracker(ctx, failed=failed)


def _check_text(arg: str) -> None:
    """Refuse an argument that is not UTF-8 text: Python hands over the bytes of one that
    cannot be decoded as surrogates, which no database, file or terminal can take."""
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        try:
            raw = arg.encode("utf-8", "surrogateescape")  # the bytes as they were given
        except UnicodeEncodeError:
            raw = arg.encode("utf-8", "backslashreplace")
        from tracker.core.text import visible

        shown = visible(raw.decode("utf-8", "backslashreplace"))
        raise click.ClickException(f"the argument '{shown}' is not UTF-8 text") from None


def _suggestion(name: str, names: list[str]) -> str:
    """` Did you mean 'state'?` for a mistyped command, or nothing when none is close."""
    import difflib

    close = difflib.get_close_matches(name, names, n=3)
    if not close:
        return ""
    if len(close) == 1:
        return f" Did you mean {close[0]!r}?"
    return f" Did you mean one of: {', '.join(close)}?"


def _show_traceback_when_debugging(ctx: click.Context, e: Exception) -> None:
    """With `--debug` (or TRACKER_DEBUG=1), a defect shows its traceback and exits 1, where
    `main` would print one line."""
    if ctx.meta.get(_DEBUG):
        import traceback

        click.echo("".join(traceback.format_exception(e)).rstrip("\n"), err=True)
        ctx.exit(1)


def remember_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Click callback of `--debug`."""
    ctx.meta[_DEBUG] = value


def _close_tracker(ctx: click.Context, *, failed: bool) -> None:
    """Close the database the command opened; a new file a failed command created goes.
    Each line saying why the primary answered rather than the replica (or that the replica
    had replayed the command's write) goes to stderr."""
    tracker = ctx.meta.pop(_OPENED, None)
    if tracker is not None:
        from tracker.core.text import visible

        for note in tracker.read_notes:
            click.echo(f"Note: {visible(note)}", err=True)
        tracker.close(discard=failed or not ctx.meta.pop(_KEEP_NEW, True))


class DefaultGroup(click.Group):
    """A group that runs its default subcommand when the first argument names none, so that
    `tracker sources [AGREEMENT]` lists and `tracker sources verify [AGREEMENT]` checks."""

    def __init__(self, *args: Any, default: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default = default

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = [self.default, *args]
        return super().parse_args(ctx, args)


def db_option(f: F) -> F:
    """`--db URL`, shared by every command that opens the database."""
    return click.option(
        "--db",
        "db_url",
        envvar="TRACKER_DATABASE_URL",
        metavar="URL",
        help="Database URL or SQLite file path (default: a file in the user's data directory).",
    )(f)


_READS = "tracker.reads"  # the context's key for --read-db, --replica-only and --max-lag


def _remember_read(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """Click callback of the read options: `open_tracker` takes them from the context."""
    ctx.meta.setdefault(_READS, {})[param.name] = value


def read_db_option(f: F) -> F:
    """`--read-db URL` (TRACKER_READ_DATABASE_URL), `--replica-only` and `--max-lag
    SECONDS`, for the commands that only read: their reads go to a streaming replica of the
    PostgreSQL primary --db names."""
    f = click.option(
        "--max-lag",
        type=click.FloatRange(min=0),
        default=None,
        metavar="SECONDS",
        expose_value=False,
        callback=_remember_read,
        help="With --read-db: read the primary while the replica is further behind (default: 30).",
    )(f)
    f = click.option(
        "--replica-only",
        is_flag=True,
        expose_value=False,
        callback=_remember_read,
        help="With --read-db: fail rather than read the primary when the replica cannot answer.",
    )(f)
    return click.option(
        "--read-db",
        envvar="TRACKER_READ_DATABASE_URL",
        metavar="URL",
        expose_value=False,
        callback=_remember_read,
        help="A PostgreSQL streaming replica of --db to read, answering as of its latest "
        "replayed commit.",
    )(f)


def dry_run_option(f: F) -> F:
    """`--dry-run`: validate and show what would be written, and write nothing."""
    return click.option(
        "--dry-run", is_flag=True, help="Check and show what would be written; write nothing."
    )(f)


def remember_wide(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Click callback of `--wide`: tables are drawn without wrapping (see screen.current)."""
    ctx.find_root().meta[WIDE_KEY] = value


def format_option(f: F) -> F:
    """`--format table|json` (table on a terminal, JSON otherwise) and `--wide`."""
    return _formats(f, ["table", "json"])


def rows_format_option(f: F) -> F:
    """`--format` for a command whose output is rows: also `csv` and `markdown` (a GitHub
    table)."""
    return _formats(f, ["table", "json", "csv", "markdown"])


def _formats(f: F, choices: list[str]) -> F:
    f = click.option(
        "--wide",
        is_flag=True,
        expose_value=False,
        callback=remember_wide,
        help="Tables: never wrap a cell, even when lines grow wider than the terminal.",
    )(f)
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices, case_sensitive=False),
        default=None,
        help="Output format (default: table on a terminal, json otherwise).",
    )(f)


def known_at_option(f: F) -> F:
    """`--known-at TIMESTAMP`: count only what was recorded by then."""
    return click.option(
        "--known-at",
        type=TIMESTAMP,
        default=None,
        help="Count only events recorded by this time (default: now).",
    )(f)


def published_option(f: F) -> F:
    """`--published-by DATE`: count only events citing a source published by then."""
    return click.option(
        "--published-by",
        "published",
        type=DATE,
        default=None,
        help="Count only events citing a supporting source published by this date.",
    )(f)


def open_tracker(db_url: str | None, *, write: bool = False, keep_new: bool = True) -> Tracker:
    """Open the database (migrating it, loading the shipped record into a new default); only
    a command that writes may create a database file, and it is removed again when the
    command fails (or, without `keep_new`, always). It is closed when the command ends."""
    from tracker.service import Tracker

    meta = click.get_current_context().meta
    opened = Tracker.open_reporting(db_url, create=write, **_read_settings(meta.get(_READS, {})))
    meta[_OPENED], meta[_KEEP_NEW] = opened.tracker, keep_new
    _resume_collector()
    if opened.loaded_record:
        from tracker.service import database_path

        where = database_path(db_url)
        click.echo(f"new database at {where}; loaded the shipped record from events/", err=True)
    return opened.tracker


def _read_settings(given: dict[str, Any]) -> dict[str, Any]:
    """What the read options ask of `Tracker.open`: a replica and its rules, or nothing."""
    url, only, max_lag = given.get("read_db"), given.get("replica_only"), given.get("max_lag")
    if url is None:
        for option, value in (("--replica-only", only), ("--max-lag", max_lag)):
            if value:
                raise click.UsageError(f"{option} needs --read-db (or TRACKER_READ_DATABASE_URL)")
        return {}
    settings: dict[str, Any] = {"read_url": url, "replica_only": bool(only)}
    if max_lag is not None:
        settings["max_lag"] = max_lag
    return settings


def emit(
    fmt: str | None,
    as_json: Callable[[], Any],
    as_table: Callable[[], str],
    notes: Iterable[str | None] = (),
    as_sheets: Callable[[], Sequence[Sheet]] | None = None,
) -> None:
    """Print a result as JSON, as a table, or (for a command whose output is rows) as CSV or
    a Markdown table built from the same sheets; only the chosen one is built. Except with
    JSON, each note (such as a date beyond the record's reach) goes to stderr, a line each:
    the JSON carries the same facts."""
    from tracker.cli import jsonout
    from tracker.core.text import visible

    fmt = (fmt or ("table" if sys.stdout.isatty() else "json")).lower()
    if fmt == "json":
        jsonout.write(as_json(), lambda text: click.echo(text, nl=False))
        click.echo()
        return
    if fmt in ("csv", "markdown") and as_sheets is not None:
        from tracker.cli.sheets import as_csv, as_markdown

        sheets = as_sheets()
        click.echo(as_csv(sheets) if fmt == "csv" else as_markdown(sheets), nl=False)
    else:
        click.echo(as_table())
    for note in notes:
        if note:
            click.echo(f"Note: {visible(note)}", err=True)


def main() -> None:
    """The console script: run the CLI with the garbage collector paused during start-up."""
    # Start-up imports allocate a great many long-lived objects and no garbage, which the
    # collector would scan again and again; `_resume_collector` turns it back on.
    gc.disable()
    # The command line uses no pydantic plugin: without this, building the first model scans
    # every installed package's entry points for one. (Set, even empty, it is left alone.)
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        cli()
    except Exception as e:  # a defect; the user still gets one line, not a traceback
        detail = str(e).strip().splitlines()
        shown = f": {detail[0]}" if detail else ""
        click.echo(f"Error: unexpected {type(e).__name__}{shown}", err=True)
        sys.exit(1)


def _resume_collector() -> None:
    """Once the heavy imports are done: freeze what they built out of the collector's way,
    and let it run again for the command's own work."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@click.group(cls=TrackerGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--debug",
    is_flag=True,
    envvar="TRACKER_DEBUG",
    expose_value=False,
    callback=remember_debug,
    help="Show the traceback of an unexpected error (also TRACKER_DEBUG=1).",
)
@click.version_option(package_name="tracker")
def cli() -> None:
    """Follow agreements that change over time: terms on any date, on whose word, since when.

    Example: tracker state --as-of 2025-01-21
    """
    # The driver logs what it could not clean up after a lost connection; the command's own
    # error already says what happened, so those lines must not reach stderr. (Every command
    # imports logging with the database driver; `tracker --help` does not get here.)
    import logging

    logging.getLogger("psycopg").addHandler(logging.NullHandler())
