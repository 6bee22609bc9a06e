"""One term's history read like `git log -p`: each event, then what it changed, - and +."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.cli.screen import pairs, styled
from tracker.core.events import (
    Event,
    EventCorrected,
    ProposalResolved,
    TermEnded,
    TermProposed,
    TermSet,
)
from tracker.core.state import Recorded

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from tracker.service import Corrected

Fields = dict[str, Any]


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
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def patch(old: Fields, new: Fields) -> list[tuple[str, str]]:
    """The fields that differ, each as ('-', 'name: old') and ('+', 'name: new') lines."""
    lines: list[tuple[str, str]] = []
    for name in dict.fromkeys([*old, *new]):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is not None:
            lines.append(("-", f"{name}: {_shown(before)}"))
        if after is not None:
            lines.append(("+", f"{name}: {_shown(after)}"))
    return lines


def _changes(event: Event, current: Fields) -> tuple[list[tuple[str, str]], Fields]:
    """What the event changes in the term, and the term's fields afterwards."""
    if isinstance(event, TermSet):
        new = fields_of(event)
        return patch(current, new), new
    if isinstance(event, TermEnded):
        return [*patch(current, {}), ("+", f"ended: {event.reason}")], {}
    if isinstance(event, TermProposed):
        return [("+", f"proposed: {event.summary}")], current
    if isinstance(event, ProposalResolved):
        return [("+", f"{event.resolution}: {event.proposal}")], current
    return [], current


def _correction(event: EventCorrected, target: Event | None) -> list[tuple[str, str]]:
    """What a correction changed in the event it corrects, as recorded at first."""
    if isinstance(target, TermSet) and isinstance(event.replacement, TermSet):
        return patch(fields_of(target), fields_of(event.replacement))
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


def term_history(
    records: Sequence[Recorded],
    retracted: Mapping[str, str],
    corrected: Mapping[str, Corrected],
    start: dt.date | None = None,
) -> list[RenderableType]:
    """Each event about the term from `start`, newest last, with what it changed (since the
    events before it, shown or not); retracted events are shown, marked, and change nothing
    for the events after them."""
    parts: list[RenderableType] = []
    current: Fields = {}
    recorded = {r.event.id: r.event for r in records}
    for record in records:
        fix = corrected.get(record.event.id)
        event: Event = record.event if fix is None else fix.content
        if isinstance(event, EventCorrected):
            lines, after = _correction(event, recorded.get(event.target)), current
        else:
            lines, after = _changes(event, current)
        if event.id in retracted:
            mark = f" [retracted by {retracted[event.id]}]"
        else:
            current = after
            mark = "" if fix is None else f" [corrected by {', '.join(fix.by)}; as corrected]"
        if start is None or record.event.effective.last >= start:
            parts += [*_header(record, event, mark), *_body(event, lines), ""]
    return parts[:-1] if parts else ["  (none)"]
