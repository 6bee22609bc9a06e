"""Results as tables for people, at most 100 columns wide."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.cli.shapes import day, span, timestamp
from tracker.core.provenance import corroboration
from tracker.core.state import AgreementState, Recorded

if TYPE_CHECKING:
    from tracker.core.diff import StateDiff, TermChange
    from tracker.core.events import StoredSource
    from tracker.core.explain import Explanation

WIDTH = 100


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns sized to their content; the last column is cut to fit WIDTH."""
    if not rows:
        return "  (none)"
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers[:-1])]
    room = max(WIDTH - sum(w + 2 for w in widths) - 2, 10)
    lines = []
    for row in [headers, *rows]:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=False)]
        lines.append(("  " + "  ".join([*cells, _cell(row[-1], room)])).rstrip())
    return "\n".join(lines)


def state_table(state: AgreementState, sources: Mapping[str, StoredSource]) -> str:
    """`tracker state` for people; INDEP is the number of independent supporting sources."""
    terms = [
        [
            k,
            day(t.since) or "",
            day(t.expires) or "-",
            t.certainty,
            str(corroboration(t.citations, sources).independent),
            t.summary,
        ]
        for k, t in sorted(state.terms.items())
    ]
    pending = [
        [p.term, day(p.since) or "", p.certainty, p.event, p.summary]
        for p in state.pending.values()
    ]
    ended = [[k, day(t.ended) or "", t.reason, t.summary] for k, t in sorted(state.ended.items())]
    return "\n".join(
        [
            f"{state.agreement}: {state.title or '(not created yet)'}",
            f"as of {state.as_of}, as known at {timestamp(state.known_at)}",
            "",
            "Terms in force",
            table(["TERM", "SINCE", "EXPIRES", "CERTAINTY", "INDEP", "SUMMARY"], terms),
            "",
            "Pending proposals",
            table(["TERM", "SINCE", "CERTAINTY", "EVENT", "SUMMARY"], pending),
            "",
            "Ended",
            table(["TERM", "ENDED", "REASON", "SUMMARY"], ended),
        ]
    )


def _what(c: TermChange) -> str:
    if c.change == "added" and c.after is not None:
        return c.after.summary
    if c.change == "ended" and c.before is not None:
        return c.before.summary
    return ", ".join(c.fields)


def diff_table(d: StateDiff) -> str:
    """`tracker diff` for people."""
    rows = [[c.change, c.term, ", ".join(c.events) or "-", _what(c)] for c in d.changes]
    proposals = [[p.change, p.term, p.event] for p in d.proposals]
    return "\n".join(
        [
            f"{d.agreement}: " + " -> ".join(str(v) for v in span(d).values()),
            "",
            "Terms",
            table(["CHANGE", "TERM", "EVENTS", "WHAT"], rows),
            "",
            "Proposals",
            table(["CHANGE", "TERM", "EVENT"], proposals),
        ]
    )


def _status_line(e: Explanation) -> str:
    if e.in_force is not None:
        return f"in force since {e.in_force.since} ({e.in_force.certainty}): {e.in_force.summary}"
    if e.ended is not None:
        return f"ended {e.ended.ended} ({e.ended.reason}): {e.ended.summary}"
    return "not in force"


def explain_table(e: Explanation) -> str:
    """`tracker explain` for people: the state, then each event with its citations."""
    lines = [
        f"{e.agreement} {e.term} as of {e.as_of}, as known at {timestamp(e.known_at)}",
        _status_line(e)[:WIDTH],
        *(f"pending: {p.event} ({p.certainty}): {p.summary}"[:WIDTH] for p in e.pending),
        "",
    ]
    for step in e.chain:
        why = ", ".join(f"{b}: {r}" for b, r in zip(step.by, step.reasons, strict=True))
        mark = "" if step.status == "counts" else f" [{step.status} by {why}]"
        lines.append(
            _cell(f"{step.content.effective}  {step.content.type}  {step.content.id}{mark}", WIDTH)
        )
        lines.extend(
            _cell(f"    {c.stance} {c.source}" + (f': "{c.quote}"' if c.quote else ""), WIDTH)
            for c in step.content.sources
        )
    return "\n".join(lines)


def log_table(records: Sequence[Recorded], retracted: Collection[str]) -> str:
    """`tracker log` for people; retracted events are marked."""
    rows = [
        [
            day(r.event.effective) or "",
            str(r.version),
            r.event.type,
            r.event.certainty,
            r.event.id + (" (retracted)" if r.event.id in retracted else ""),
        ]
        for r in records
    ]
    return table(["EFFECTIVE", "VER", "TYPE", "CERTAINTY", "EVENT"], rows)


def _quoted(c: dict[str, Any]) -> str:
    return f"{c['source']}: " + (f'"{c["quote"]}"' if c["quote"] else "(no quote)")


def conflicts_table(data: dict[str, Any]) -> str:
    """`tracker conflicts` for people: each contradicted fact with both sides' quotes."""
    lines = [f"{data['agreement']}: facts the sources disagree on", ""]
    for c in data["conflicts"]:
        lines.append(f"{c['event']}" + (f" ({c['term']})" if c["term"] else ""))
        lines.extend(_cell(f"    supports     {_quoted(q)}", WIDTH) for q in c["supports"])
        lines.extend(_cell(f"    contradicts  {_quoted(q)}", WIDTH) for q in c["contradicts"])
    rows = [[s["event"], s["term"] or "-", s["source"]] for s in data["single_source"]]
    lines += ["", "Facts resting on a single independent source"]
    lines.append(table(["EVENT", "TERM", "SOURCE"], rows))
    return "\n".join(lines)


def sources_table(rows: Sequence[dict[str, Any]]) -> str:
    """`tracker sources` for people."""
    return table(
        ["SOURCE", "TEXT", "SUPPORTS", "CONTRADICTS", "DERIVED FROM"],
        [
            [
                r["id"],
                "yes" if r["stored_text"] else "no",
                str(r["supports"]),
                str(r["contradicts"]),
                r["derived_from"] or "-",
            ]
            for r in rows
        ],
    )
