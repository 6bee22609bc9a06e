"""Commands that write: import, export, record, retract."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.app import (
    DATE,
    F,
    cli,
    db_option,
    dry_run_option,
    open_tracker,
    read_db_option,
    today,
)
from tracker.cli.read import sources

if TYPE_CHECKING:
    from tracker.service import Appended


class EventTypeChoice(click.Choice):  # type: ignore[type-arg]
    """The event types `tracker record` appends, as the service lists them: looked up only
    when a command line names one, so that start-up does not build the event models."""

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from tracker.service import RECORDABLE_TYPES

        return RECORDABLE_TYPES

    @choices.setter
    def choices(self, _value: object) -> None:
        """Set by click.Choice's constructor; the service's list always wins."""


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path, allow_dash=True))
@dry_run_option
@db_option
def import_(paths: tuple[Path, ...], dry_run: bool, db_url: str | None) -> None:
    """Load agreement files (`-` reads standard input; a folder, its *.yaml files): each
    validated whole, then written in one transaction.

    Events already present (same id, same content) are skipped.

    Example: tracker import events/microsoft-openai.yaml --dry-run
    """
    from tracker.service import agreement_files

    files = agreement_files(paths)
    tracker = open_tracker(db_url, write=True, keep_new=not dry_run)
    for folder in (p for p in paths if p.is_dir()):
        found = sum(1 for f in files if f.parent == folder)
        click.echo(
            f"{folder}: {found} agreement file{'' if found == 1 else 's'} (*.yaml); "
            "those that create an agreement are written first",
            err=True,
        )
    results = tracker.import_files(files, dry_run=dry_run)
    for path, result in zip(files, results, strict=True):
        written = "would be written" if dry_run else "written"
        click.echo(
            f"{path}: {events(result.written)} {written}, {result.skipped} already present "
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
@click.option(
    "--force", is_flag=True, help="With --output: replace files there that hold other content."
)
@db_option
@read_db_option
def export(agreement: str | None, output: Path | None, force: bool, db_url: str | None) -> None:
    """Write the agreement file back: header, sources and every event. Into a folder, it
    refuses to replace a file holding other content (without --force) or to write through a
    symbolic link.

    Example: tracker export microsoft-openai --output backup/
    """
    tracker = open_tracker(db_url)
    name = tracker.agreement(agreement)
    if output is not None:
        click.echo(f"wrote {tracker.export_to(name, output, force=force)}", err=True)
        return
    click.echo(tracker.export_text(name), nl=False)
    if any(s.text is not None for s in tracker.sources(name).values()):
        click.echo("source texts are not in this output; --output DIR writes them too", err=True)


def _citations(cite: tuple[str, ...], contradict: tuple[str, ...]) -> list[dict[str, str]]:
    result = []
    for stance, values in (("supports", cite), ("contradicts", contradict)):
        for value in values:
            source, _, quote = value.partition("=")
            result.append(
                {"source": source, "stance": stance, **({"quote": quote} if quote else {})}
            )
    return result


def _parties(values: tuple[str, ...]) -> list[dict[str, str]]:
    parties = []
    for value in values:
        name, sep, role = value.partition("=")
        if not (sep and name.strip() and role.strip()):
            raise click.BadParameter(f"{value!r} is not NAME=ROLE", param_hint="'--party'")
        parties.append({"name": name.strip(), "role": role.strip()})
    return parties


def citation_options(f: F) -> F:
    """`--cite` and `--contradict`, shared by the commands that append an event."""
    f = click.option(
        "--contradict", multiple=True, metavar="SOURCE=QUOTE", help="A contradicting citation."
    )(f)
    return click.option(
        "--cite",
        multiple=True,
        metavar="SOURCE[=QUOTE]",
        help="A supporting citation; the quote is needed when the source has stored text.",
    )(f)


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--type",
    "type_",
    required=True,
    type=EventTypeChoice(),
    help="Event type.",
)
@click.option(
    "--id", "id_", default=None, help="Event id (default: date, type and a content digest)."
)
@click.option(
    "--effective",
    required=True,
    help="Date the change takes effect: 2024-06-11, 2024-06, 2024 or ../2024-06-11.",
)
@click.option("--announced", default=None, help="Date it became public (same forms).")
@click.option("--certainty", type=click.Choice(["confirmed", "reported", "rumored"]))
@click.option("--term", default=None, help="Term key, e.g. cloud.exclusivity.")
@click.option("--summary", default=None, help="One-line summary of the term.")
@click.option("--value", default=None, help="The term's value, a JSON object ({} for none).")
@click.option(
    "--changes", default=None, help='term.amended: fields to change, e.g. {"cap_usd": 38e9}.'
)
@click.option("--expires", default=None, help="Last day the term is in force (same forms).")
@click.option("--ends-when", default=None, help="Condition that ends the term, in words.")
@click.option(
    "--reason",
    default=None,
    help="term.ended: expired, terminated, waived or superseded; a retraction or "
    "correction: why, in words.",
)
@click.option("--proposal", default=None, help="Proposal event id (proposal.resolved).")
@click.option("--resolution", default=None, help="adopted, rejected or withdrawn.")
@click.option("--target", default=None, help="The event retracted or corrected.")
@click.option(
    "--replacement",
    default=None,
    metavar="JSON",
    help="event.corrected: the corrected event, a JSON object with its type (id and "
    "agreement are the target's).",
)
@click.option("--title", default=None, help="agreement.created: the agreement's title.")
@click.option(
    "--party", multiple=True, metavar="NAME=ROLE", help="agreement.created: a party (repeat)."
)
@citation_options
@click.option("--note", default=None, help="Free text.")
@click.option("--expected-version", type=int, default=None, help="Fail unless at this version.")
@dry_run_option
@db_option
def record(
    agreement: str | None,
    expected_version: int | None,
    dry_run: bool,
    db_url: str | None,
    **fields: Any,
) -> None:
    """Append one event of any type from the command line.

    Example: tracker record --type term.ended --effective 2027-01-01 --term
    cloud.own_capacity --reason superseded --certainty rumored --cite techcrunch-2025-01-21
    """
    data = {k.rstrip("_"): v for k, v in fields.items() if v not in (None, ())}
    for key in ("cite", "contradict", "party"):
        data.pop(key, None)
    data["sources"] = _citations(fields["cite"], fields["contradict"])
    if fields["party"]:
        data["parties"] = _parties(fields["party"])
    for key in ("value", "changes", "replacement"):
        if fields[key] is not None:
            data[key] = _json_object(fields[key], key)
    tracker = open_tracker(db_url, write=True, keep_new=not dry_run)
    name = agreement if fields["type_"] == "agreement.created" else tracker.agreement(agreement)
    if name is None:
        raise click.UsageError("name the agreement to create")
    _report(tracker.record(name, data, expected_version, dry_run=dry_run))


@cli.command()
@click.argument("args", nargs=-1, metavar="[AGREEMENT] EVENT")
@click.option("--reason", required=True, help="Why the event no longer counts, in words.")
@click.option(
    "--effective", type=DATE, default=None, help="Date of the retraction (default: today)."
)
@click.option("--id", "id_", default=None, help="Id of the retraction event.")
@click.option("--expected-version", type=int, default=None, help="Fail unless at this version.")
@citation_options
@dry_run_option
@db_option
def retract(
    args: tuple[str, ...],
    reason: str,
    effective: dt.date | None,
    id_: str | None,
    expected_version: int | None,
    cite: tuple[str, ...],
    contradict: tuple[str, ...],
    dry_run: bool,
    db_url: str | None,
) -> None:
    """Withdraw an earlier event: it stays in the log but no longer counts. Without --cite it
    mends the record (it counts under any --published-by); with it, from the source's day.

    Event ids are unique within an agreement: without AGREEMENT, the event is looked for in
    the default agreement, then in every agreement (and must be in one only).

    Example: tracker retract 2024-oracle-capacity-earlier-in-2024 --reason "wrong date"
    """
    if len(args) not in (1, 2):
        raise click.UsageError("retract takes [AGREEMENT] EVENT")
    tracker = open_tracker(db_url, write=True, keep_new=not dry_run)
    when, sources = effective or today(), _citations(cite, contradict)
    agreement = args[0] if len(args) == 2 else None
    _report(
        tracker.retract(
            args[-1],
            reason,
            when,
            id_,
            expected_version,
            dry_run=dry_run,
            sources=sources,
            agreement=agreement,
        )
    )


@cli.group(name="agreement")
def agreement_group() -> None:
    """Create an agreement from the command line.

    Example: tracker agreement create acme-supply --title "Acme supply deal"
    --party Acme=supplier --party Globex=buyer --effective 2025-01-01
    """


@agreement_group.command(name="create")
@click.argument("agreement")
@click.option("--title", required=True, help="The agreement's title.")
@click.option("--party", multiple=True, required=True, metavar="NAME=ROLE", help="A party.")
@click.option(
    "--effective", required=True, help="Date the agreement began: 2024-06-11, 2024-06 or 2024."
)
@click.option("--announced", default=None, help="Date it became public (same forms).")
@click.option("--certainty", type=click.Choice(["confirmed", "reported", "rumored"]))
@click.option("--id", "id_", default=None, help="Event id (default: derived from content).")
@citation_options
@click.option("--note", default=None, help="Free text.")
@dry_run_option
@db_option
def create_agreement(agreement: str, dry_run: bool, db_url: str | None, **fields: Any) -> None:
    """Start a new agreement: its agreement.created event, with title and parties.

    Example: tracker agreement create acme-supply --title "Acme supply deal"
    --party Acme=supplier --party Globex=buyer --effective 2025-01-01
    """
    data = {k.rstrip("_"): v for k, v in fields.items() if v not in (None, ())}
    for key in ("cite", "contradict", "party"):
        data.pop(key, None)
    data["type"] = "agreement.created"
    data["parties"] = _parties(fields["party"])
    data["sources"] = _citations(fields["cite"], fields["contradict"])
    tracker = open_tracker(db_url, write=True, keep_new=not dry_run)
    _report(tracker.record(agreement, data, dry_run=dry_run))


@agreement_group.command(name="default")
@click.argument("agreement", required=False)
@click.option("--clear", is_flag=True, help="Remove the default agreement.")
@db_option
def default_agreement(agreement: str | None, clear: bool, db_url: str | None) -> None:
    """Show or set the agreement commands use when AGREEMENT is omitted.

    TRACKER_AGREEMENT, when set, overrides the default kept in the config file.

    Example: tracker agreement default acme-supply
    """
    from tracker.service import default_agreement_setting

    if agreement is None and not clear:
        setting = default_agreement_setting()
        click.echo(
            "no default agreement" if setting is None else f"{setting[0]} (from {setting[1]})"
        )
        return
    if agreement is not None and clear:
        raise click.UsageError("give AGREEMENT or --clear, not both")
    path = open_tracker(db_url).set_default_agreement(agreement)
    done = "no default agreement" if clear else f"default agreement: {agreement}"
    click.echo(f"{done} (in {path})", err=True)
    if os.environ.get("TRACKER_AGREEMENT"):
        click.echo("note: TRACKER_AGREEMENT is set and overrides it", err=True)


@sources.command(name="add")
@click.argument("agreement", required=False)
@click.option("--id", "id_", required=True, help="The source's id, e.g. verge-2025-01-21.")
@click.option("--title", required=True, help="The source's title.")
@click.option("--publisher", default=None, help="Who published it.")
@click.option("--url", default=None, help="Where it is found.")
@click.option("--published", type=DATE, default=None, help="Date it was published.")
@click.option("--derived-from", default=None, help="The source this one rewrites.")
@click.option(
    "--text",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A file holding the source's text: quotes citing it are checked against it.",
)
@db_option
def add_source(agreement: str | None, text: Path | None, db_url: str | None, **fields: Any) -> None:
    """Store a source (and its text) for an agreement's citations.

    Example: tracker sources add acme-supply --id acme-press-2025-01-01
    --title "Acme signs with Globex" --text acme-press.txt
    """
    data = {k.rstrip("_"): v for k, v in fields.items() if v is not None}
    tracker = open_tracker(db_url, write=True)
    done = tracker.add_source(tracker.agreement(agreement), data, text)
    verb = "added to" if done.written else "already present in"
    size = f", {done.characters} characters of text" if done.characters else ", no text"
    click.echo(f"{done.source}: {verb} {done.agreement}{size}", err=True)


class _DuplicateKeyError(ValueError):
    """A JSON object names a key twice."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's pairs as a dict; a key given twice is refused, as agreement files
    refuse it, rather than letting the last one silently win."""
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise _DuplicateKeyError(key)
        value[key] = item
    return value


def _json_object(text: str, option: str) -> dict[str, Any]:
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKeyError as e:
        raise click.ClickException(f"--{option} names the key {e.args[0]!r} twice") from e
    except json.JSONDecodeError as e:
        raise click.ClickException(f"--{option} is not JSON: {e.msg} at column {e.colno}") from e
    except RecursionError as e:
        raise click.ClickException(f"--{option} is nested too deeply") from e
    except ValueError as e:  # an integer longer than Python converts
        raise click.ClickException(f"--{option} holds a number with too many digits") from e
    if not isinstance(value, dict):
        raise click.ClickException(f"--{option} must be a JSON object")
    return value


def events(n: int) -> str:
    """`1 event`, `2 events`."""
    return f"{n} event" if n == 1 else f"{n} events"


def _report(done: Appended) -> None:
    if done.note is not None:
        click.echo(f"Note: {done.note}", err=True)
    if done.dry_run:
        from tracker.cli.jsonout import dumps

        click.echo(dumps(done.data))
        verb = "would be recorded" if done.written else "already present"
        click.echo(
            f"{done.event}: {verb} ({done.agreement} version {done.version}); dry run, "
            "nothing written",
            err=True,
        )
        return
    verb = "recorded" if done.written else "already present"
    click.echo(f"{done.event}: {verb} ({done.agreement} version {done.version})", err=True)
