"""Rendering results for people (tables of at most 100 columns) and scripts (JSON)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.events import Citation, Event, Fact, StoredSource, event_to_dict
from tracker.provenance import conflicts, corroboration, single_sourced, stance_counts
from tracker.state import AgreementState, EndedTerm, Proposal, Recorded, TermState

if TYPE_CHECKING:
    from tracker.diff import StateDiff, TermChange
    from tracker.explain import Explanation, Step

WIDTH = 100


def timestamp(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with a Z."""
    return None if moment is None else moment.isoformat() + "Z"


def _day(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def term_json(term: TermState) -> dict[str, Any]:
    """A term in force, in the SPEC's JSON shape."""
    return {
        "summary": term.summary,
        "value": dict(term.value),
        "since": _day(term.since),
        "expires": _day(term.expires),
        "ends_when": term.ends_when,
        "certainty": term.certainty,
        "events": list(term.events),
        "sources": list(term.sources),
    }


def _ended_json(term: EndedTerm) -> dict[str, Any]:
    return {
        "summary": term.summary,
        "ended": _day(term.ended),
        "reason": term.reason,
        "events": list(term.events),
    }


def _pending_json(p: Proposal) -> dict[str, Any]:
    return {
        "event": p.event,
        "term": p.term,
        "summary": p.summary,
        "certainty": p.certainty,
        "since": _day(p.since),
    }


def _corroboration_json(term: TermState, sources: Mapping[str, StoredSource]) -> dict[str, Any]:
    c = corroboration(term.citations, sources)
    return {
        "independent": c.independent,
        "sources": list(c.sources),
        "unverified": list(c.unverified),
    }


def state_json(
    state: AgreementState, sources: Mapping[str, StoredSource] | None = None
) -> dict[str, Any]:
    """`tracker state --format json`; with the sources, each term says how it is corroborated."""
    terms = {k: term_json(t) for k, t in sorted(state.terms.items())}
    if sources is not None:
        for key, term in terms.items():
            term["corroboration"] = _corroboration_json(state.terms[key], sources)
    return {
        "agreement": state.agreement,
        "title": state.title,
        "as_of": _day(state.as_of),
        "known_at": timestamp(state.known_at),
        "parties": [p.model_dump() for p in state.parties],
        "terms": terms,
        "pending": [_pending_json(p) for p in state.pending.values()],
        "ended": {k: _ended_json(t) for k, t in sorted(state.ended.items())},
    }


def _change_json(c: TermChange) -> dict[str, Any]:
    return {
        "term": c.term,
        "change": c.change,
        "before": None if c.before is None else term_json(c.before),
        "after": None if c.after is None else term_json(c.after),
        "fields": list(c.fields),
        "events": list(c.events),
    }


def _span(d: StateDiff) -> dict[str, Any]:
    """The two points compared: dates, or (for a knowledge diff) two known-at moments."""
    if d.before.as_of == d.after.as_of and d.before.known_at != d.after.known_at:
        return {
            "as_of": _day(d.after.as_of),
            "from": timestamp(d.before.known_at),
            "to": timestamp(d.after.known_at),
        }
    return {"from": _day(d.before.as_of), "to": _day(d.after.as_of)}


def diff_json(d: StateDiff) -> dict[str, Any]:
    """`tracker diff --format json`."""
    return {
        "agreement": d.agreement,
        **_span(d),
        "changes": [_change_json(c) for c in d.changes],
        "proposals": [{"event": p.event, "term": p.term, "change": p.change} for p in d.proposals],
    }


def log_json(records: Iterable[Recorded], retracted: Collection[str]) -> list[dict[str, Any]]:
    """`tracker log --format json`: each event with its place in the log."""
    return [
        {
            **event_to_dict(r.event),
            "position": r.position,
            "version": r.version,
            "recorded_at": timestamp(r.recorded_at),
            "retracted": r.event.id in retracted,
        }
        for r in records
    ]


def dumps(data: Any) -> str:
    """JSON for scripts: stable key order as built, UTF-8 kept."""
    return json.dumps(data, indent=2, ensure_ascii=False)


def _cell(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], last: int = WIDTH) -> str:
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
            _day(t.since) or "",
            _day(t.expires) or "-",
            t.certainty,
            str(corroboration(t.citations, sources).independent),
            t.summary,
        ]
        for k, t in sorted(state.terms.items())
    ]
    pending = [
        [p.term, _day(p.since) or "", p.certainty, p.event, p.summary]
        for p in state.pending.values()
    ]
    ended = [[k, _day(t.ended) or "", t.reason, t.summary] for k, t in sorted(state.ended.items())]
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
            f"{d.agreement}: " + " -> ".join(str(v) for v in _span(d).values()),
            "",
            "Terms",
            table(["CHANGE", "TERM", "EVENTS", "WHAT"], rows),
            "",
            "Proposals",
            table(["CHANGE", "TERM", "EVENT"], proposals),
        ]
    )


def _citations(event: Event) -> list[dict[str, Any]]:
    return [c.model_dump(exclude_none=True) for c in event.sources]


def _step_json(step: Step) -> dict[str, Any]:
    content = step.content
    return {
        "event": content.id,
        "type": content.type,
        "effective": _day(content.effective),
        "recorded_at": timestamp(step.recorded.recorded_at),
        "certainty": content.certainty,
        "summary": getattr(content, "summary", None),
        "status": step.status,
        "by": list(step.by),
        "reasons": list(step.reasons),
        "sources": _citations(content),
    }


def explain_json(e: Explanation) -> dict[str, Any]:
    """`tracker explain --format json`."""
    return {
        "agreement": e.agreement,
        "term": e.term,
        "as_of": _day(e.as_of),
        "known_at": timestamp(e.known_at),
        "state": None if e.in_force is None else term_json(e.in_force),
        "ended": None if e.ended is None else _ended_json(e.ended),
        "pending": [_pending_json(p) for p in e.pending],
        "chain": [_step_json(s) for s in e.chain],
    }


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
            _day(r.event.effective) or "",
            str(r.version),
            r.event.type,
            r.event.certainty,
            r.event.id + (" (retracted)" if r.event.id in retracted else ""),
        ]
        for r in records
    ]
    return table(["EFFECTIVE", "VER", "TYPE", "CERTAINTY", "EVENT"], rows)


def _quote_json(c: Citation) -> dict[str, Any]:
    return {"source": c.source, "quote": c.quote}


def conflicts_json(
    agreement: str, facts: Sequence[Fact], sources: Mapping[str, StoredSource]
) -> dict[str, Any]:
    """`tracker conflicts --format json`: contradicted facts, and single-source facts."""
    return {
        "agreement": agreement,
        "conflicts": [
            {
                "event": c.event,
                "term": c.term,
                "supports": [_quote_json(q) for q in c.supports],
                "contradicts": [_quote_json(q) for q in c.contradicts],
            }
            for c in conflicts(facts)
        ],
        "single_source": [
            {"event": s.event, "term": s.term, "source": s.source}
            for s in single_sourced(facts, sources)
        ],
    }


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


def sources_json(
    facts: Sequence[Fact], sources: Mapping[str, StoredSource]
) -> list[dict[str, Any]]:
    """`tracker sources --format json`: each source with how many facts it backs or disputes."""
    rows = []
    for s in sources.values():
        supports, contradicts = stance_counts(facts, s.source.id)
        rows.append(
            {
                **s.source.model_dump(mode="json"),
                "stored_text": s.text is not None,
                "supports": supports,
                "contradicts": contradicts,
            }
        )
    return rows


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
