"""The `tracker` command line: parse, call the library, render, translate errors.

Only click and the standard library are imported at start-up, so `tracker --help` stays fast;
each command imports what it needs.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from tracker.api import Tracker

F = TypeVar("F", bound=Callable[..., Any])


class DateType(click.ParamType):  # type: ignore[type-arg]
    """A calendar date, YYYY-MM-DD."""

    name = "DATE"

    def convert(self, value: Any, param: Any, ctx: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            if len(value) != 10 or value[4] != "-" or value[7] != "-":
                raise ValueError(value)
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


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


# The event types `tracker record` appends (a test checks them against the models).
RECORDABLE = (
    "term.set",
    "term.ended",
    "term.proposed",
    "proposal.resolved",
    "note.recorded",
    "event.retracted",
)

DATE = DateType()
TIMESTAMP = TimestampType()


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class TrackerGroup(click.Group):
    """Turns the tracker's errors into `Error: …` on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from sqlalchemy.exc import SQLAlchemyError

        from tracker.errors import TrackerError

        try:
            return super().invoke(ctx)
        except TrackerError as e:
            _fail(str(e))
        except SQLAlchemyError as e:
            detail = str(getattr(e, "orig", None) or e).strip().splitlines()
            _fail(f"database error: {detail[0] if detail else type(e).__name__}")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def db_option(f: F) -> F:
    """`--db URL`, shared by every command that opens the database."""
    return click.option(
        "--db",
        "db_url",
        envvar="TRACKER_DATABASE_URL",
        metavar="URL",
        help="Database URL (default: a SQLite file in the user's data directory).",
    )(f)


def format_option(f: F) -> F:
    """`--format table|json`; table on a terminal, JSON otherwise."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
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


def _open(db_url: str | None) -> Tracker:
    from tracker.api import Tracker

    opened = Tracker.open_reporting(db_url)
    _resume_collector()
    if opened.loaded_record:
        click.echo("tracker: new database; loaded the shipped record from events/", err=True)
    return opened.tracker


def _emit(fmt: str | None, as_json: Callable[[], Any], as_table: Callable[[], str]) -> None:
    from tracker.render import dumps

    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    click.echo(dumps(as_json()) if fmt == "json" else as_table())


def main() -> None:
    """The console script: run the CLI with the garbage collector paused during start-up."""
    # Start-up imports allocate a great many long-lived objects and no garbage, which the
    # collector would scan again and again; `_resume_collector` turns it back on.
    gc.disable()
    try:
        cli()
    except Exception as e:  # a defect; the user still gets one line, not a traceback
        click.echo(f"Error: unexpected {type(e).__name__}: {e}", err=True)
        sys.exit(1)


def _resume_collector() -> None:
    """Once the heavy imports are done: freeze what they built out of the collector's way,
    and let it run again for the command's own work."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


@click.group(cls=TrackerGroup)
@click.version_option(package_name="tracker")
def cli() -> None:
    """Follow agreements that change over time: terms on any date, on whose word, since when.

    Example: tracker state --as-of 2025-01-21
    """


@cli.command()
@click.argument("agreement", required=False)
@click.option("--as-of", type=DATE, default=None, help="Valid date (default: today).")
@known_at_option
@db_option
@format_option
def state(
    agreement: str | None,
    as_of: dt.date | None,
    known_at: dt.datetime | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """Terms in force, pending proposals and ended terms on a date.

    Example: tracker state microsoft-openai --as-of 2025-01-21 --format json
    """
    from tracker.render import state_json, state_table

    tracker = _open(db_url)
    name = tracker.agreement(agreement)
    result = tracker.state(name, as_of or _today(), known_at)
    sources = tracker.sources(name)
    _emit(fmt, lambda: state_json(result, sources), lambda: state_table(result, sources))


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
@db_option
@format_option
def diff(
    args: tuple[str, ...],
    as_of: dt.date | None,
    known_at: tuple[dt.datetime, ...],
    db_url: str | None,
    fmt: str | None,
) -> None:
    """What changed in the terms between two dates, and the events that changed them.

    Example: tracker diff 2025-01-20 2025-01-21

    Knowledge diff, what was learned about the terms on a date between two moments:
    tracker diff --as-of 2025-01-21 --known-at 2025-01-22 --known-at 2025-03-01
    """
    from tracker.render import diff_json, diff_table

    _check_diff_usage(args, as_of, known_at)
    if as_of is not None:
        tracker = _open(db_url)
        name = tracker.agreement(args[0] if args else None)
        result = tracker.knowledge_diff(name, as_of, known_at[0], known_at[1])
    else:
        start, end = (DATE.convert(a, None, None) for a in args[-2:])
        tracker = _open(db_url)
        name = tracker.agreement(args[0] if len(args) == 3 else None)
        result = tracker.diff(name, start, end, known_at[0] if known_at else None)
    _emit(fmt, lambda: diff_json(result), lambda: diff_table(result))


def _check_diff_usage(
    args: tuple[str, ...], as_of: dt.date | None, known_at: tuple[dt.datetime, ...]
) -> None:
    """Check the two ways of calling diff before opening the database."""
    if as_of is not None and (len(known_at) != 2 or len(args) > 1):
        raise click.UsageError("diff --as-of D takes [AGREEMENT] and exactly two --known-at")
    if as_of is None and (len(args) not in (2, 3) or len(known_at) > 1):
        raise click.UsageError("diff takes [AGREEMENT] FROM TO (and at most one --known-at)")


@cli.command()
@click.argument("args", nargs=-1, metavar="[AGREEMENT] TERM")
@click.option("--as-of", type=DATE, default=None, help="Valid date (default: today).")
@known_at_option
@db_option
@format_option
def explain(
    args: tuple[str, ...],
    as_of: dt.date | None,
    known_at: dt.datetime | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """Why a term is what it is: its state and the events and quotes behind it.

    Example: tracker explain cloud.exclusivity --as-of 2025-01-21
    """
    from tracker.render import explain_json, explain_table

    if len(args) not in (1, 2):
        raise click.UsageError("explain takes [AGREEMENT] TERM")
    tracker = _open(db_url)
    name = tracker.agreement(args[0] if len(args) == 2 else None)
    result = tracker.explain(name, args[-1], as_of or _today(), known_at)
    _emit(fmt, lambda: explain_json(result), lambda: explain_table(result))


@cli.command()
@click.argument("agreement", required=False)
@click.option("--from", "start", type=DATE, default=None, help="First effective date.")
@click.option("--to", "end", type=DATE, default=None, help="Last effective date.")
@click.option("--term", default=None, help="Only events about this term.")
@known_at_option
@db_option
@format_option
def log(
    agreement: str | None,
    start: dt.date | None,
    end: dt.date | None,
    term: str | None,
    known_at: dt.datetime | None,
    db_url: str | None,
    fmt: str | None,
) -> None:
    """The agreement's events in effective order; retracted ones are marked.

    Example: tracker log --from 2025-01-01 --term cloud.exclusivity
    """
    from tracker.render import log_json, log_table

    tracker = _open(db_url)
    name = tracker.agreement(agreement)
    records = tracker.log(name, start, end, term, known_at)
    retracted = tracker.retracted(name, known_at)
    _emit(fmt, lambda: log_json(records, retracted), lambda: log_table(records, retracted))


@cli.command()
@db_option
@format_option
def agreements(db_url: str | None, fmt: str | None) -> None:
    """The agreements in the database, with their titles and versions.

    Example: tracker agreements --format json
    """
    from tracker.render import table

    tracker = _open(db_url)
    rows = [
        {"agreement": e.agreement, "title": e.title, "version": tracker.store.version(e.agreement)}
        for e in tracker.store.created()
    ]
    _emit(
        fmt,
        lambda: rows,
        lambda: table(
            ["AGREEMENT", "VERSION", "TITLE"],
            [[str(r["agreement"]), str(r["version"]), str(r["title"])] for r in rows],
        ),
    )


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def import_(paths: tuple[Path, ...], db_url: str | None) -> None:
    """Load agreement files: each validated whole, then written in one transaction.

    Events already present (same id, same content) are skipped.

    Example: tracker import events/microsoft-openai.yaml
    """
    tracker = _open(db_url)
    for path, result in zip(paths, tracker.import_files(paths), strict=True):
        click.echo(
            f"{path}: {result.written} events written, {result.skipped} already present "
            f"(version {result.version})",
            err=True,
        )


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write AGREEMENT.yaml and its source texts into this folder (default: YAML to stdout).",
)
@db_option
def export(agreement: str | None, output: Path | None, db_url: str | None) -> None:
    """Write the agreement file back: header, sources and every event.

    Example: tracker export microsoft-openai --output backup/
    """
    from tracker import files

    tracker = _open(db_url)
    content = tracker.export(tracker.agreement(agreement))
    text = files.dump(content)
    if output is None:
        click.echo(text, nl=False)
        if any(s.text is not None for s in content.sources):
            click.echo(
                "tracker: source texts are not in this output; --output DIR writes them too",
                err=True,
            )
        return
    files.write(content, output)
    click.echo(f"wrote {output / (content.agreement + '.yaml')}", err=True)


def _citations(cite: tuple[str, ...], contradict: tuple[str, ...]) -> list[dict[str, str]]:
    result = []
    for stance, values in (("supports", cite), ("contradicts", contradict)):
        for value in values:
            source, _, quote = value.partition("=")
            result.append(
                {"source": source, "stance": stance, **({"quote": quote} if quote else {})}
            )
    return result


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--type",
    "type_",
    required=True,
    type=click.Choice(RECORDABLE),
    help="Event type.",
)
@click.option("--id", "id_", default=None, help="Event id (default: derived from date and type).")
@click.option("--effective", type=DATE, required=True, help="Date the change takes effect.")
@click.option("--announced", type=DATE, default=None, help="Date it became public.")
@click.option("--certainty", type=click.Choice(["confirmed", "reported", "rumored"]))
@click.option("--term", default=None, help="Term key, e.g. cloud.exclusivity.")
@click.option("--summary", default=None, help="One-line summary of the term.")
@click.option("--value", default=None, help="The term's value, a JSON object.")
@click.option("--expires", type=DATE, default=None, help="Last day the term is in force.")
@click.option("--ends-when", default=None, help="Condition that ends the term, in words.")
@click.option("--reason", default=None, help="Why a term ended or an event is withdrawn.")
@click.option("--proposal", default=None, help="Proposal event id (proposal.resolved).")
@click.option("--resolution", default=None, help="adopted, rejected or withdrawn.")
@click.option("--cite", multiple=True, metavar="SOURCE=QUOTE", help="A supporting citation.")
@click.option("--contradict", multiple=True, metavar="SOURCE=QUOTE", help="A contradicting one.")
@click.option("--note", default=None, help="Free text.")
@click.option("--expected-version", type=int, default=None, help="Fail unless at this version.")
@db_option
def record(
    agreement: str | None, expected_version: int | None, db_url: str | None, **fields: Any
) -> None:
    """Append one event from the command line.

    Example: tracker record --type term.ended --effective 2026-01-01 --term agi.clause
    --reason waived --certainty reported --cite verge-2025-01-21
    """
    tracker = _open(db_url)
    name = tracker.agreement(agreement)
    data = {k.rstrip("_"): v for k, v in fields.items() if v not in (None, ())}
    data.pop("cite", None), data.pop("contradict", None)
    data["sources"] = _citations(fields["cite"], fields["contradict"])
    if fields["value"] is not None:
        data["value"] = _json_object(fields["value"])
    _append_one(tracker, name, data, expected_version)


@cli.command()
@click.argument("event")
@click.option("--reason", required=True, help="Why the event no longer counts.")
@click.option(
    "--effective", type=DATE, default=None, help="Date of the retraction (default: today)."
)
@click.option("--id", "id_", default=None, help="Id of the retraction event.")
@click.option("--expected-version", type=int, default=None, help="Fail unless at this version.")
@db_option
def retract(
    event: str,
    reason: str,
    effective: dt.date | None,
    id_: str | None,
    expected_version: int | None,
    db_url: str | None,
) -> None:
    """Withdraw an earlier event: it stays in the log but no longer counts.

    Example: tracker retract 2024-06-11-oracle-capacity --reason "wrong date"
    """
    tracker = _open(db_url)
    name = tracker.store.agreement_of(event)
    data = {
        "type": "event.retracted",
        "target": event,
        "reason": reason,
        "effective": effective or _today(),
        "id": id_,
    }
    _append_one(tracker, name, data, expected_version)


def _json_object(text: str) -> dict[str, Any]:
    from tracker.errors import InvalidEventError

    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise InvalidEventError(f"--value is not JSON: {e.msg} at column {e.colno}") from e
    if not isinstance(value, dict):
        raise InvalidEventError("--value must be a JSON object")
    return value


def _append_one(
    tracker: Tracker, agreement: str, data: dict[str, Any], expected: int | None
) -> None:
    from pydantic import ValidationError

    from tracker.errors import InvalidEventError
    from tracker.events import describe, event_from_dict

    data["agreement"] = agreement
    if not data.get("id"):
        data["id"] = f"{data['effective']}-{data['type']}-{tracker.store.version(agreement) + 1}"
    try:
        event = event_from_dict(data)
    except ValidationError as e:
        raise InvalidEventError(describe(e)) from e
    result = tracker.append(agreement, [event], expected)
    verb = "recorded" if result.written else "already present"
    click.echo(f"{event.id}: {verb} ({agreement} version {result.version})", err=True)


@cli.group()
def db() -> None:
    """Database schema migrations (Alembic).

    Example: tracker db upgrade --db postgresql://localhost/tracker
    """


def _engine(db_url: str | None) -> Any:
    from tracker import database

    return database.create_engine(database.resolve_url(db_url)[0])


@db.command()
@click.argument("revision", default="head")
@db_option
def upgrade(revision: str, db_url: str | None) -> None:
    """Migrate the database up (default: to the latest revision).

    Example: tracker db upgrade
    """
    from tracker import database

    engine = _engine(db_url)
    database.upgrade(engine, revision)
    click.echo(f"database at revision {database.current_revision(engine)}", err=True)


@db.command()
@click.argument("revision", default="base")
@db_option
def downgrade(revision: str, db_url: str | None) -> None:
    """Migrate the database down (default: to an empty schema). Destroys the data it drops.

    Example: tracker db downgrade base
    """
    from tracker import database

    engine = _engine(db_url)
    database.downgrade(engine, revision)
    click.echo(f"database at revision {database.current_revision(engine) or 'base'}", err=True)


@db.command()
@db_option
def current(db_url: str | None) -> None:
    """Print the database's schema revision (`base` when it has none).

    Example: tracker db current
    """
    from tracker import database

    click.echo(database.current_revision(_engine(db_url)) or "base")


@cli.command()
@click.argument("agreement", required=False)
@known_at_option
@db_option
@format_option
def conflicts(
    agreement: str | None, known_at: dt.datetime | None, db_url: str | None, fmt: str | None
) -> None:
    """Facts on which cited sources contradict each other, and facts resting on one source.

    Example: tracker conflicts microsoft-openai --format json
    """
    from tracker.render import conflicts_json, conflicts_table

    tracker = _open(db_url)
    name = tracker.agreement(agreement)
    data = conflicts_json(name, tracker.facts(name, known_at), tracker.sources(name))
    _emit(fmt, lambda: data, lambda: conflicts_table(data))


@cli.command()
@click.argument("args", nargs=-1, metavar="[verify] [AGREEMENT]")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="With verify: also compare the source files in this folder (beside the agreement file).",
)
@db_option
@format_option
def sources(
    args: tuple[str, ...], folder: Path | None, db_url: str | None, fmt: str | None
) -> None:
    """The sources, with how many facts each supports and contradicts.

    `tracker sources verify` re-checks every stored quote and every stored text's hash (and,
    with --dir, the texts on disk), and exits 1 naming what no longer matches.

    Example: tracker sources verify microsoft-openai --dir events/
    """
    from tracker.render import sources_json, sources_table

    checking = bool(args) and args[0] == "verify"
    names = args[1:] if checking else args
    if len(names) > 1:
        raise click.UsageError("sources takes [verify] [AGREEMENT]")
    tracker = _open(db_url)
    name = tracker.agreement(names[0] if names else None)
    if checking:
        _verify_sources(tracker, name, folder)
        return
    rows = sources_json(tracker.facts(name), tracker.sources(name))
    _emit(fmt, lambda: rows, lambda: sources_table(rows))


def _verify_sources(tracker: Tracker, agreement: str, folder: Path | None) -> None:
    problems = tracker.verify_sources(agreement, folder)
    for problem in problems:
        click.echo(problem)
    if problems:
        _fail(f"{len(problems)} stored quotes or texts no longer match")
    click.echo("ok: every stored quote and text matches", err=True)


@cli.command()
@click.argument("agreement", required=False)
@db_option
def verify(agreement: str | None, db_url: str | None) -> None:
    """Recompute the hash chains; exit 1 naming the first event changed behind our back.

    Example: tracker verify microsoft-openai
    """
    from tracker.store import verify as verify_chains

    tracker = _open(db_url)
    if agreement is not None:
        tracker.store.require(agreement)
    checked = verify_chains(tracker.store.engine, agreement)
    click.echo(f"ok: {checked} events, hash chains intact", err=True)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of agreement files.

    Example: tracker schema > agreement.schema.json
    """
    from tracker.files import json_schema

    click.echo(json.dumps(json_schema(), indent=2))
