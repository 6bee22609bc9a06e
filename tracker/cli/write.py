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
    from tracker.service import Tracker

# The event types `tracker record` appends (a test checks them against the models).
RECORDABLE = (
    "term.set",
    "term.ended",
    "term.proposed",
    "proposal.resolved",
    "note.recorded",
    "event.retracted",
)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@db_option
def import_(paths: tuple[Path, ...], db_url: str | None) -> None:
    """Load agreement files: each validated whole, then written in one transaction.

    Events already present (same id, same content) are skipped.

    Example: tracker import events/microsoft-openai.yaml
    """
    tracker = open_tracker(db_url)
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
    from tracker.files import agreement as files

    tracker = open_tracker(db_url)
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
    tracker = open_tracker(db_url)
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
    tracker = open_tracker(db_url)
    name = tracker.store.agreement_of(event)
    data = {
        "type": "event.retracted",
        "target": event,
        "reason": reason,
        "effective": effective or today(),
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

    from tracker.core.events import describe, event_from_dict
    from tracker.errors import InvalidEventError

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
