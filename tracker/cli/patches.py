"""One term's history read like `git log -p`: each event, then what it changed, - and +."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.cli.screen import pairs, spelled, styled
from tracker.core.events import (
    Event,
    EventCorrected,
    ProposalResolved,
    TermAmended,
    TermEnded,
    TermProposed,
    TermSet,
)
from tracker.core.projector import fields_after
from tracker.core.state import Recorded

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from tracker.service import Corrected

Fields = dict[str, Any]
# A field an event changed: its name, its value before and after (None: absent).
Change = tuple[str, Any, Any]


def fields_of(event: TermSet) -> Fields:
    """What a term.set says of its term, field by field (`value.<key>` for the value)."""
    fields: Fields = {
        "summary": event.summary,
        "since": str(event.effective),
        "expires": None if event.expires is None else str(event.expires),
        "ends_when": event.ends_when,
        "certainty": event.certainty,
    }
    fields.update({f"value.{k}": v for k, v in sorted(event.value.items())})
    return fields


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else spelled(value)


def amended(current: Fields, event: TermAmended) -> Fields:
    """The term's fields after an amendment: its summary, when given, and each changed field
    of its value (null removes one)."""
    new = {name: v for name, v in current.items() if not name.startswith("value.")}
    if event.summary is not None:
        new["summary"] = event.summary
    values = {n.removeprefix("value."): v for n, v in current.items() if n.startswith("value.")}
    new.update({f"value.{k}": v for k, v in fields_after(values, event, _as_is).items()})
    return {name: value for name, value in new.items() if value is not None}


def _as_is(value: Any) -> Any:
    return value


def changed(old: Fields, new: Fields) -> list[Change]:
    """The fields that differ between two versions of a term, in the order they are named."""
    pairs = ((name, old.get(name), new.get(name)) for name in dict.fromkeys([*old, *new]))
    return [(name, before, after) for name, before, after in pairs if before != after]


def patch(changes: Sequence[Change]) -> list[tuple[str, str]]:
    """Changed fields as ('-', 'name: old') and ('+', 'name: new') lines."""
    lines: list[tuple[str, str]] = []
    for name, before, after in changes:
        if before is not None:
            lines.append(("-", f"{name}: {_shown(before)}"))
        if after is not None:
            lines.append(("+", f"{name}: {_shown(after)}"))
    return lines


def _changes(event: Event, current: Fields) -> tuple[list[Change], list[tuple[str, str]], Fields]:
    """What the event changes in the term (field by field, then lines for what is not a
    field), and the term's fields afterwards."""
    if isinstance(event, TermSet):
        new = fields_of(event)
        return changed(current, new), [], new
    if isinstance(event, TermAmended):
        new = amended(current, event)
        return changed(current, new), [], new
    if isinstance(event, TermEnded):
        return changed(current, {}), [("+", f"ended: {event.reason}")], {}
    if isinstance(event, TermProposed):
        return [], [("+", f"proposed: {event.summary}")], current
    if isinstance(event, ProposalResolved):
        return [], [("+", f"{event.resolution}: {event.proposal}")], current
    return [], [], current


def _correction(event: EventCorrected, target: Event | None) -> list[Change]:
    """What a correction changed in the event it corrects, as recorded at first."""
    if isinstance(target, TermSet) and isinstance(event.replacement, TermSet):
        return changed(fields_of(target), fields_of(event.replacement))
    return []


def _header(record: Recorded, event: Event, mark: str) -> list[RenderableType]:
    """`event ID (type, version N)`, then its dates, certainty and sources."""
    dates = f"{event.effective}" + (f" (announced {event.announced})" if event.announced else "")
    rows = [
        (styled("Effective:"), styled(dates)),
        (styled("Certainty:"), styled(event.certainty)),
        (styled("Recorded:"), styled(f"{record.recorded_at.isoformat()}Z")),
    ]
    sources = list(dict.fromkeys(c.source for c in event.sources))
    if sources:
        rows.append((styled("Sources:"), styled(", ".join(sources))))
    title = f"event {event.id} ({event.type}, version {record.version}){mark}"
    return [styled(title, "yellow"), pairs(rows)]


def _body(event: Event, lines: Sequence[tuple[str, str]]) -> list[RenderableType]:
    """The event's note (its message), then the changed lines, - in red and + in green."""
    from rich.padding import Padding

    body: list[RenderableType] = [""]
    messages = [event.note] if event.note else []
    if isinstance(event, EventCorrected):
        messages.insert(0, f"Corrects {event.target}: {event.reason}")
    body += [*(Padding(styled(m), (0, 0, 0, 4)) for m in messages), *([""] if messages else [])]
    if lines:
        body.append(pairs([_line(sign, text) for sign, text in lines]))
    return body


def _line(sign: str, text: str) -> tuple[Text, Text]:
    colour = "red" if sign == "-" else "green"
    return styled(sign, colour), styled(text, colour)


def term_steps(
    records: Sequence[Recorded],
    retracted: Mapping[str, str],
    corrected: Mapping[str, Corrected],
    start: dt.date | None = None,
) -> Iterator[tuple[Recorded, Event, str, list[Change], list[tuple[str, str]]]]:
    """Each event about the term from `start` (as it counts, with its mark), with the fields
    it changed since the events before it, shown or not, and lines for the rest; retracted
    events change nothing for the events after them."""
    current: Fields = {}
    recorded = {r.event.id: r.event for r in records}
    for record in records:
        fix = corrected.get(record.event.id)
        event: Event = record.event if fix is None else fix.content
        extra: list[tuple[str, str]] = []
        if isinstance(event, EventCorrected):
            changes, after = _correction(event, recorded.get(event.target)), current
        else:
            changes, extra, after = _changes(event, current)
        if event.id in retracted:
            mark = f" [retracted by {retracted[event.id]}]"
        else:
            current = after
            mark = "" if fix is None else f" [corrected by {', '.join(fix.by)}; as corrected]"
        if start is None or record.event.effective.last >= start:
            yield record, event, mark, changes, extra


def term_history(
    records: Sequence[Recorded],
    retracted: Mapping[str, str],
    corrected: Mapping[str, Corrected],
    start: dt.date | None = None,
) -> list[RenderableType]:
    """Each event about the term from `start`, newest last, with what it changed (see
    `term_steps`)."""
    parts: list[RenderableType] = []
    for record, event, mark, changes, extra in term_steps(records, retracted, corrected, start):
        parts += [*_header(record, event, mark), *_body(event, [*patch(changes), *extra]), ""]
    return parts[:-1] if parts else ["  (none)"]


def term_changes(
    records: Sequence[Recorded],
    retracted: Mapping[str, str],
    corrected: Mapping[str, Corrected],
    start: dt.date | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """By event id, the fields each event about the term changed, for JSON: `field`, `old`
    and `new` (null: absent)."""
    return {
        record.event.id: [{"field": f, "old": old, "new": new} for f, old, new in changes]
        for record, _, _, changes, _ in term_steps(records, retracted, corrected, start)
    }
