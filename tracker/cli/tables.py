"""Results as tables for people: fitted to the terminal, wrapped rather than cut, coloured by
meaning, every text from the record made visible (no control characters reach the terminal)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.cli.screen import Cell, Row, grid, lines, pairs, render, spelled, styled
from tracker.cli.shapes import day, span, timestamp
from tracker.cli.sheets import Sheet, drawn
from tracker.core.diff import field_values
from tracker.core.events import (
    AgreementCreated,
    Event,
    EventCorrected,
    EventRetracted,
    NoteRecorded,
    ProposalResolved,
    RecordReviewed,
    TermAffirmed,
    TermAmended,
    TermEnded,
    TermProposed,
    TermSet,
    term_of,
)
from tracker.core.provenance import corroboration
from tracker.core.state import AgreementState, Possible, TermState
from tracker.core.text import visible

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.text import Text

    from tracker.core.diff import StateDiff, TermChange
    from tracker.core.events import StoredSource
    from tracker.core.explain import Explanation
    from tracker.core.upcoming import Coming
    from tracker.service import Corrected, LogView, TermEntry

CERTAINTY = {"confirmed": "green", "reported": "yellow", "rumored": "magenta"}
CHANGE = {
    "added": "green",
    "ended": "red",
    "changed": "yellow",
    "came_and_went": "magenta",
    "settled": "green",
    "opened": "cyan",
    "adopted": "green",
    "rejected": "red",
    "withdrawn": "red",
}


def table(headers: Sequence[str], rows: Sequence[Row]) -> str:
    """One table, indented, fitted to the terminal; `  (none)` when there are no rows."""
    return render(grid(headers, rows))


def _certainty(value: str) -> Cell:
    return styled(value, CERTAINTY.get(value, ""))


def _titled(title: str, headers: Sequence[str], rows: Sequence[Row]) -> list[RenderableType]:
    return [styled(title, "bold"), grid(headers, rows), ""]


def _optional(title: str, headers: Sequence[str], rows: Sequence[Row]) -> list[RenderableType]:
    """A titled table after a blank line, or nothing at all when it has no rows."""
    return ["", *_titled(title, headers, rows)[:-1]] if rows else []


def state_table(state: AgreementState, sources: Mapping[str, StoredSource]) -> str:
    """`tracker state` for people; INDEP is the number of independent supporting sources."""
    return render(
        f"{state.agreement}: {state.title or '(not created yet)'}",
        f"as of {state.as_of}, as known at {timestamp(state.known_at)}",
        "",
        *drawn(state_sheets(state, sources)),
    )


def state_sheets(
    state: AgreementState, sources: Mapping[str, StoredSource], people: bool = True
) -> list[Sheet]:
    """The rows of `tracker state`: terms in force, pending proposals, ended terms and (when
    there are any) possible changes; `people` groups large numbers by thousands."""
    terms: list[Row] = [
        [
            k,
            day(t.since) or "",
            day(t.expires) or "-",
            _certainty(t.certainty),
            str(corroboration(t.citations, sources).independent),
            t.summary,
        ]
        for k, t in sorted(state.terms.items())
    ]
    pending: list[Row] = [
        [p.term, day(p.since) or "", _certainty(p.certainty), p.event, p.summary]
        for p in state.pending.values()
    ]
    ended: list[Row] = [
        [k, day(t.ended) or "", t.reason, _certainty(t.certainty), t.summary]
        for k, t in sorted(state.ended.items())
    ]
    possible: list[Row] = [
        [k, day(p.date) or "", p.change, _certainty(p.certainty), p.event, _would_be(p, people)]
        for k, p in sorted(state.possible.items())
    ]
    in_force = ["TERM", "SINCE", "EXPIRES", "CERTAINTY", "INDEP", "SUMMARY"]
    return [
        Sheet("Terms in force", in_force, terms),
        Sheet("Pending proposals", ["TERM", "SINCE", "CERTAINTY", "EVENT", "SUMMARY"], pending),
        Sheet("Ended", ["TERM", "ENDED", "REASON", "CERTAINTY", "SUMMARY"], ended),
        Sheet(POSSIBLE, ["TERM", "DATE", "CHANGE", "CERTAINTY", "EVENT", "IF SO"], possible, True),
    ]


POSSIBLE = "Possible (changes whose imprecise date may or may not have come)"


def _would_be(p: Possible, people: bool = True) -> str:
    """What the term would be if the possible change had come."""
    if p.term is None:
        return "no longer in force"
    return f"{p.term.summary}: {_shown(dict(p.term.value), people)}"


def _shown(value: Any, people: bool = True) -> str:
    """A field's value as one line: text as it is, anything else as JSON (for people, with
    large numbers grouped by thousands), absence as (none)."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value
    return _as_json(value, people)


def _as_json(value: Any, people: bool) -> str:
    """JSON; for people with large numbers grouped by thousands."""
    return spelled(value) if people else json.dumps(value, ensure_ascii=False)


def _arrow(name: str, old: str, new: str) -> Text:
    """`name: old → new`, the old in red and the new in green (as git diff colours them)."""
    from rich.text import Text

    return Text.assemble(f"{name}: ", (visible(old), "red"), " → ", (visible(new), "green"))


def _sources_change(before: TermState, after: TermState) -> Text:
    """The sources a change added (+) and dropped (-)."""
    from rich.text import Text

    added = [("+" + s, "green") for s in after.sources if s not in before.sources]
    dropped = [("-" + s, "red") for s in before.sources if s not in after.sources]
    text = Text("sources:")
    for piece, style in [*added, *dropped]:
        text.append(" ")
        text.append(visible(piece), style)
    return text


def _changes(before: TermState, after: TermState, fields: Sequence[str]) -> Text:
    """Each changed field on a line of its own, as `field: old → new`."""
    from rich.text import Text

    lines: list[Text] = []
    for name in fields:
        if name == "sources":
            lines.append(_sources_change(before, after))
        elif name == "citations":
            lines.append(Text("citations: the quotes changed"))
        else:
            old, new = field_values(before, after, name)
            lines.append(_arrow(name, _shown(old), _shown(new)))
    return Text("\n").join(lines)


def _what(c: TermChange, d: StateDiff) -> Cell:
    """What a change did: the new summary, the ended one with why, or each field's values."""
    if c.before is not None and c.after is not None:
        return _changes(c.before, c.after, c.fields)
    if c.after is not None:
        return c.after.summary
    if c.change == "came_and_went":
        from tracker.core.diff import came_and_went

        return came_and_went(c)
    ended = d.after.ended.get(c.term)
    reason = f" ({ended.reason} {day(ended.ended)})" if ended is not None else ""
    return (c.before.summary if c.before is not None else "") + reason


def diff_table(d: StateDiff) -> str:
    """`tracker diff` for people."""
    rows: list[Row] = [
        [styled(c.change, CHANGE[c.change]), c.term, lines(c.events) or "-", _what(c, d)]
        for c in d.changes
    ]
    proposals: list[Row] = [
        [styled(p.change, CHANGE[p.change]), p.term, p.event] for p in d.proposals
    ]
    affirmed: list[Row] = [[a.term, a.event] for a in d.affirmed]
    return render(
        f"{d.agreement}: " + " -> ".join(str(v) for v in span(d).values()),
        "",
        *_titled("Terms", ["CHANGE", "TERM", "EVENTS", "WHAT"], rows),
        *_titled("Proposals", ["CHANGE", "TERM", "EVENT"], proposals)[:-1],
        *(
            ["", *_titled("Affirmed unchanged", ["TERM", "EVENT"], affirmed)[:-1]]
            if affirmed
            else []
        ),
    )


def _status_lines(e: Explanation) -> list[str]:
    """Where the term stands, then the change that may have come (as `state` lists it under
    Possible): a term possibly set is not called "not in force"."""
    lines = []
    if e.in_force is not None:
        lines.append(
            f"in force since {e.in_force.since} ({e.in_force.certainty}): {e.in_force.summary}"
        )
    elif e.ended is not None:
        lines.append(f"ended {e.ended.ended} ({e.ended.reason}): {e.ended.summary}")
    elif e.possible is None:
        lines.append("not in force")
    if (p := e.possible) is not None:
        then = "no longer in force" if p.term is None else p.term.summary
        lines.append(f"possibly {p.change} {p.date} by {p.event} ({p.certainty}): {then}")
    return lines


def explain_table(e: Explanation) -> str:
    """`tracker explain` for people: the state, then each event with its citations."""
    parts: list[RenderableType] = [
        f"{e.agreement} {e.term} as of {e.as_of}, as known at {timestamp(e.known_at)}",
        *_status_lines(e),
        *(f"pending: {p.event} ({p.certainty}): {p.summary}" for p in e.pending),
        "",
    ]
    if e.in_force is not None and e.in_force.fields:
        parts += [styled("Fields", "bold"), _lineage(e.in_force), ""]
    for step in e.chain:
        why = ", ".join(f"{b}: {r}" for b, r in zip(step.by, step.reasons, strict=True))
        mark = "" if step.status == "counts" else f" [{step.status} by {why}]"
        head = f"{step.content.effective}  {step.content.type}  {step.content.id}{mark}"
        parts.append(styled(head, "" if step.status == "counts" else "dim"))
        cited = [
            (c.stance, c.source + (f': "{c.quote}"' if c.quote else ""))
            for c in step.content.sources
        ]
        if cited:
            parts.append(_stances(cited))
    return render(*parts)


def _lineage(term: TermState) -> RenderableType:
    """Each field of a term in force: its value, then since when, how sure, and by which
    events it holds."""
    rows: list[Row] = [
        [name, _shown(f.value), day(f.since) or "", _certainty(f.certainty), lines(f.events) or "-"]
        for name, f in term.fields.items()
    ]
    return grid(["FIELD", "VALUE", "SINCE", "CERTAINTY", "EVENTS"], rows)


def _stances(cited: Sequence[tuple[str, str]]) -> RenderableType:
    """Citations under an event: `supports` or `contradicts` (green or red), then the source
    and its quote, wrapped under themselves."""
    return pairs(
        [(styled(s, "red" if s == "contradicts" else "green"), text) for s, text in cited],
        indent=4,
    )


def _did(event: Event, people: bool = True) -> str:
    """What an event did, in a few words."""
    match event:
        case AgreementCreated():
            return event.title
        case TermSet() | TermProposed():
            return event.summary
        case TermAmended():
            changes = ", ".join(
                f"removes {k}" if v is None else f"{k}: {_as_json(v, people)}"
                for k, v in event.changes.items()
            )
            return f"{event.summary} ({changes})" if event.summary else changes
        case TermAffirmed():
            return "affirms it, unchanged"
        case TermEnded():
            return f"ended ({event.reason})"
        case ProposalResolved():
            return f"{event.resolution} {event.proposal}"
        case NoteRecorded():
            return event.note
        case RecordReviewed():
            return f"record checked against its sources up to {event.effective}"
        case EventRetracted():
            return f"retracts {event.target}: {event.reason}"
        case EventCorrected():
            return f"corrects {event.target}: {event.reason}"
    return ""  # pragma: no cover - every event type is matched above


def _mark(event_id: str, retracted: Mapping[str, str], corrected: Mapping[str, Corrected]) -> str:
    """`[retracted by R] ` or `[corrected by C] `, or nothing for an event that counts as is."""
    if event_id in retracted:
        return f"[retracted by {retracted[event_id]}] "
    if event_id in corrected:
        return f"[corrected by {', '.join(corrected[event_id].by)}] "
    return ""


def log_table(view: LogView) -> str:
    """`tracker log` for people: each event with its term and what it did (as corrected);
    retracted and corrected events marked. For one term, each event with what it changed."""
    if view.term is not None:
        from tracker.cli.patches import term_history

        return render(*term_history(view.records, view.retracted, view.corrected, view.start))
    return render(*drawn(log_sheets(view), titled=False))


def log_sheets(view: LogView, people: bool = True) -> list[Sheet]:
    """The rows of `tracker log`: an event a row, with what it did (as corrected)."""
    retracted, corrected = view.retracted, view.corrected
    rows: list[Row] = [
        [
            day(r.event.effective) or "",
            str(r.version),
            r.event.type,
            term_of(r.event) or "-",
            _event_and_deed(
                corrected[r.event.id].content if r.event.id in corrected else r.event,
                _mark(r.event.id, retracted, corrected),
                people,
            ),
        ]
        for r in view.records
    ]
    return [Sheet("Events", ["EFFECTIVE", "VER", "TYPE", "TERM", "EVENT AND WHAT IT DID"], rows)]


def _event_and_deed(event: Event, mark: str, people: bool = True) -> Text:
    """The event's id (and mark) on a line, what it did under it; a retracted one dimmed."""
    from rich.text import Text

    text = Text.assemble((visible(event.id), "bold"), "\n", visible(mark + _did(event, people)))
    if "retracted" in mark:
        text.stylize("dim")
    return text


def _quoted(c: dict[str, Any]) -> str:
    return f"{c['source']}: " + (f'"{c["quote"]}"' if c["quote"] else "(no quote)")


def conflicts_table(data: dict[str, Any]) -> str:
    """`tracker conflicts` for people: each contradicted fact with both sides' quotes."""
    parts: list[RenderableType] = [f"{data['agreement']}: facts the sources disagree on", ""]
    if not data["conflicts"]:
        parts.append("  (none)")
    for c in data["conflicts"]:
        parts.append(f"{c['event']}" + (f" ({c['term']})" if c["term"] else ""))
        sides = [("supports", _quoted(q)) for q in c["supports"]]
        sides += [("contradicts", _quoted(q)) for q in c["contradicts"]]
        parts.append(_stances(sides))
    rows: list[Row] = [[s["event"], s["term"] or "-", s["source"]] for s in data["single_source"]]
    parts += ["", "Facts resting on a single independent source"]
    parts.append(grid(["EVENT", "TERM", "SOURCE"], rows))
    fields: list[Row] = [
        [f"{f['term']}: {f['field']}", f["source"], f["event"]]
        for f in data.get("single_source_fields", [])
    ]
    parts += ["", "Fields resting on a single independent source"]
    parts.append(grid(["TERM: FIELD", "SOURCE", "EVENT"], fields))
    return render(*parts)


def sources_table(rows: Sequence[dict[str, Any]]) -> str:
    """`tracker sources` for people."""
    return render(*drawn(sources_sheets(rows), titled=False))


def sources_sheets(rows: Sequence[dict[str, Any]], people: bool = True) -> list[Sheet]:
    """The rows of `tracker sources`: a source each, with how many facts it backs."""
    cells: list[Row] = [
        [
            r["id"],
            "yes" if r["stored_text"] else "no",
            count(r["supports"], people),
            count(r["contradicts"], people),
            r["derived_from"] or "-",
        ]
        for r in rows
    ]
    return [Sheet("Sources", ["SOURCE", "TEXT", "SUPPORTS", "CONTRADICTS", "DERIVED FROM"], cells)]


def count(n: int, people: bool = True) -> str:
    """A count; for people grouped by thousands."""
    return f"{n:,}" if people else str(n)


def agreements_table(rows: Sequence[dict[str, Any]]) -> str:
    """`tracker agreements` for people."""
    return render(*drawn(agreements_sheets(rows), titled=False))


def agreements_sheets(rows: Sequence[dict[str, Any]], people: bool = True) -> list[Sheet]:
    """The rows of `tracker agreements`: an agreement each, `yes` for the default one."""
    cells: list[Row] = [
        [
            str(r["agreement"]),
            count(r["version"], people),
            "yes" if r["default"] else "",
            str(r["title"]),
        ]
        for r in rows
    ]
    return [Sheet("Agreements", ["AGREEMENT", "VERSION", "DEFAULT", "TITLE"], cells)]


def _when(c: Coming, as_of: dt.date) -> str:
    """When: a date and how far off it is, since when a proposal is pending, or a condition."""
    if c.kind == "expires" and c.day is not None:
        days = (c.day - as_of).days
        return f"{c.day} (in {days} day{'s' if days != 1 else ''})" if days else f"{c.day} (today)"
    if c.kind == "proposal":
        return f"pending since {c.written or c.day}"
    return "when a condition is met"


def _coming(c: Coming) -> str:
    if c.kind == "expires":
        return f"expires: {c.summary}"
    if c.kind == "proposal":
        return f"proposed: {c.summary} ({c.event})"
    return f"ends when {c.detail}: {c.summary}"


def upcoming_table(
    items: Sequence[Coming], as_of: dt.date, until: dt.date, agreement: str | None = None
) -> str:
    """`tracker upcoming` for people: soonest first, then what has no date."""
    where = "across all agreements" if agreement is None else f"in {agreement}"
    return render(
        f"What is coming from {as_of} to {until}, {where}",
        "",
        *drawn(upcoming_sheets(items, as_of), titled=False),
    )


def upcoming_sheets(items: Sequence[Coming], as_of: dt.date) -> list[Sheet]:
    """The rows of `tracker upcoming`: what is coming, soonest first."""
    rows: list[Row] = [
        [_when(c, as_of), c.agreement, c.term, _certainty(c.certainty), _coming(c)] for c in items
    ]
    return [Sheet("Upcoming", ["WHEN", "AGREEMENT", "TERM", "CERTAINTY", "WHAT"], rows)]


def terms_table(
    key: str, as_of: dt.date, known_at: dt.datetime, entries: Sequence[TermEntry]
) -> str:
    """`tracker terms KEY` for people: one row per agreement (two when a change of imprecise
    date may also have come)."""
    return render(
        f"{key} as of {as_of}, as known at {timestamp(known_at)}",
        "",
        *drawn(terms_sheets(entries), titled=False),
    )


def terms_sheets(entries: Sequence[TermEntry], people: bool = True) -> list[Sheet]:
    """The rows of `tracker terms KEY`: the term in each agreement that has it."""
    rows: list[Row] = []
    for e in entries:
        if e.term is not None:
            t = e.term
            rows.append([e.agreement, "in force", day(t.since) or "", day(t.expires) or "-",
                         _certainty(t.certainty), t.summary])  # fmt: skip
        if e.ended is not None:
            n = e.ended
            rows.append([e.agreement, f"ended ({n.reason})", day(n.ended) or "", "-",
                         _certainty(n.certainty), n.summary])  # fmt: skip
        if e.possible is not None:
            p = e.possible
            rows.append([e.agreement, f"possibly {p.change}", day(p.date) or "", "-",
                         _certainty(p.certainty), _would_be(p, people)])  # fmt: skip
    headers = ["AGREEMENT", "STATUS", "DATE", "EXPIRES", "CERTAINTY", "SUMMARY"]
    return [Sheet("Terms", headers, rows)]
