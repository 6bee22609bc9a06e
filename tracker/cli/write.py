"""Commands that write: import, export, record, retract."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.app import (
    DATE,
    cli,
    db_option,
    open_tracker,
    today,
)

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
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def import_(paths: tuple[Path, ...], db_url: str | None) -> None:
    """Load agreement files: each validated whole, then written in one transaction.

    Events already present (same id, same content) are skipped.

    Example: tracker import events/microsoft-openai.yaml
    """
    results = open_tracker(db_url, write=True).import_files(paths)
    for path, result in zip(paths, results, strict=True):
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
    tracker = open_tracker(db_url)
    name = tracker.agreement(agreement)
    if output is not None:
        click.echo(f"wrote {tracker.export_to(name, output)}", err=True)
        return
    click.echo(tracker.export_text(name), nl=False)
    if any(s.text is not None for s in tracker.sources(name).values()):
        click.echo(
            "tracker: source texts are not in this output; --output DIR writes them too", err=True
        )


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
    type=EventTypeChoice(),
    help="Event type.",
)
@click.option("--id", "id_", default=None, help="Event id (default: derived from date and type).")
@click.option(
    "--effective",
    required=True,
    help="Date the change takes effect: 2024-06-11, 2024-06, 2024 or ../2024-06-11.",
)
@click.option("--announced", default=None, help="Date it became public (same forms).")
@click.option("--certainty", type=click.Choice(["confirmed", "reported", "rumored"]))
@click.option("--term", default=None, help="Term key, e.g. cloud.exclusivity.")
@click.option("--summary", default=None, help="One-line summary of the term.")
@click.option("--value", default=None, help="The term's value, a JSON object.")
@click.option(
    "--changes", default=None, help='term.amended: fields to change, e.g. {"cap_usd": 38e9}.'
)
@click.option("--expires", default=None, help="Last day the term is in force (same forms).")
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
    data = {k.rstrip("_"): v for k, v in fields.items() if v not in (None, ())}
    data.pop("cite", None), data.pop("contradict", None)
    data["sources"] = _citations(fields["cite"], fields["contradict"])
    for name in ("value", "changes"):
        if fields[name] is not None:
            data[name] = _json_object(fields[name], name)
    tracker = open_tracker(db_url, write=True)
    _report(tracker.record(tracker.agreement(agreement), data, expected_version))


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
    tracker = open_tracker(db_url, write=True)
    _report(tracker.retract(event, reason, effective or today(), id_, expected_version))


def _json_object(text: str, option: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise click.ClickException(f"--{option} is not JSON: {e.msg} at column {e.colno}") from e
    if not isinstance(value, dict):
        raise click.ClickException(f"--{option} must be a JSON object")
    return value


def _report(done: Appended) -> None:
    verb = "recorded" if done.written else "already present"
    click.echo(f"{done.event}: {verb} ({done.agreement} version {done.version})", err=True)
