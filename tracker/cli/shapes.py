"""Results as JSON for scripts, in the shapes the SPEC fixes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.core import plain
from tracker.core.dates import When
from tracker.core.events import Citation, Event, StoredSource, event_to_dict
from tracker.core.state import (
    AgreementState,
    Coverage,
    EndedTerm,
    FieldState,
    Possible,
    Proposal,
    Recorded,
    TermState,
)

if TYPE_CHECKING:
    from tracker.core.diff import StateDiff, TermChange
    from tracker.core.explain import Explanation, Step
    from tracker.core.provenance import ConflictReport, SourceUse
    from tracker.service import AgreementSummary, TermEntry


def timestamp(moment: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as ISO 8601 with a Z."""
    return None if moment is None else moment.isoformat() + "Z"


def day(day: dt.date | When | None) -> str | None:
    """A date as written: a day in ISO format, an imprecise date as its EDTF text."""
    if day is None:
        return None
    return day.text if isinstance(day, When) else day.isoformat()


def term_json(term: TermState) -> dict[str, Any]:
    """A term in force, in the SPEC's JSON shape."""
    return {
        "summary": term.summary,
        "value": dict(term.value),
        "since": day(term.since),
        "expires": day(term.expires),
        "ends_when": term.ends_when,
        "certainty": term.certainty,
        "events": list(term.events),
        "sources": list(term.sources),
        "fields": _fields_json(term.fields),
        "affirmed_by": list(term.affirmed_by),
    }


def _fields_json(fields: Mapping[str, FieldState]) -> dict[str, Any]:
    """A term's fields, each with its value, since when, how sure and on whose word. Fields
    that a term.set or an amendment put together share all but their values (the same
    objects): that part of their JSON is made once for them, lists and all (the data is
    written out, not changed), rather than once a field for thousands of terms."""
    found: dict[str, Any] = {}
    made: FieldState | None = None
    shared: dict[str, Any] = {}
    for name in fields:  # not items(): a view that walks the fields in Python
        f = fields[name]
        if made is None or not _alike(f, made):
            made = f
            shared = {"since": day(f.since), "certainty": f.certainty, "events": list(f.events),
                      "sources": list(f.sources)}  # fmt: skip
        found[name] = {"value": f.value, **shared}
    return found


def _alike(f: FieldState, other: FieldState) -> bool:
    """Whether two fields hold the same date, certainty and word (as the same objects)."""
    return (
        f.since is other.since
        and f.events is other.events
        and f.sources is other.sources
        and f.certainty == other.certainty
    )


def _ended_json(term: EndedTerm) -> dict[str, Any]:
    return {
        "summary": term.summary,
        "ended": day(term.ended),
        "reason": term.reason,
        "events": list(term.events),
        "certainty": term.certainty,
    }


def possible_json(p: Possible) -> dict[str, Any]:
    """A change that may have come: its date as written, and the term if it had."""
    after = {"value": None, "certainty": p.certainty} if p.term is None else term_json(p.term)
    return {"event": p.event, "date": day(p.date), "change": p.change, **after}


def _pending_json(p: Proposal) -> dict[str, Any]:
    return {
        "event": p.event,
        "term": p.term,
        "summary": p.summary,
        "certainty": p.certainty,
        "since": day(p.since),
    }


def _corroboration_json(term: TermState, sources: Mapping[str, StoredSource]) -> dict[str, Any]:
    from tracker.core.provenance import corroboration

    c = corroboration(term.citations, sources)
    return {
        "independent": c.independent,
        "sources": list(c.sources),
        "unverified": list(c.unverified),
    }


def coverage_json(c: Coverage | None, asked: dt.date) -> dict[str, Any]:
    """How far the record reaches and whether `asked` is beyond it, as a `coverage` entry
    (none when the reach was not asked for)."""
    if c is None:
        return {}
    return {
        "coverage": {
            "through": day(c.through),
            "beyond": c.beyond(asked),
            "reviewed": c.reviewed,
            "event": c.event,
        }
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
        "as_of": day(state.as_of),
        "known_at": timestamp(state.known_at),
        "parties": [plain.fields_of(p) for p in state.parties],
        "terms": terms,
        "pending": [_pending_json(p) for p in state.pending.values()],
        "ended": {k: _ended_json(t) for k, t in sorted(state.ended.items())},
        "possible": {k: possible_json(p) for k, p in sorted(state.possible.items())},
        **coverage_json(state.coverage, state.as_of),
    }


def _change_json(c: TermChange) -> dict[str, Any]:
    return {
        "term": c.term,
        "change": c.change,
        "before": None if c.before is None else term_json(c.before),
        "after": None if c.after is None else term_json(c.after),
        "fields": list(c.fields),
        "events": list(c.events),
        **(_came_and_went_json(c) if c.change == "came_and_went" else {}),
    }


def _came_and_went_json(c: TermChange) -> dict[str, Any]:
    """What a term in neither state was between them: its last summary, when it came, when
    and why it went (before and after stay null: it is in force in neither)."""
    ending = c.ending
    return {
        "summary": None if ending is None else ending.summary,
        "since": day(c.since),
        "ended": None if ending is None else day(ending.ended),
        "reason": None if ending is None else ending.reason,
    }


def span(d: StateDiff) -> dict[str, Any]:
    """The two points compared: dates, or (for a knowledge or publication diff) two known-at
    moments or two publication dates."""
    if d.published is not None:
        return {"as_of": day(d.after.as_of), "from": day(d.published[0]), "to": day(d.published[1])}
    if d.before.as_of == d.after.as_of and d.before.known_at != d.after.known_at:
        return {
            "as_of": day(d.after.as_of),
            "from": timestamp(d.before.known_at),
            "to": timestamp(d.after.known_at),
        }
    return {"from": day(d.before.as_of), "to": day(d.after.as_of)}


def diff_json(d: StateDiff) -> dict[str, Any]:
    """`tracker diff --format json`."""
    return {
        "agreement": d.agreement,
        **span(d),
        "changes": [_change_json(c) for c in d.changes],
        "proposals": [{"event": p.event, "term": p.term, "change": p.change} for p in d.proposals],
        "affirmed": [{"term": a.term, "event": a.event} for a in d.affirmed],
        **coverage_json(d.coverage, max(d.before.as_of, d.after.as_of)),
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


def _citations(event: Event) -> list[dict[str, Any]]:
    return [{k: v for k, v in plain.fields_of(c).items() if v is not None} for c in event.sources]


def _step_json(step: Step) -> dict[str, Any]:
    content = step.content
    return {
        "event": content.id,
        "type": content.type,
        "effective": day(content.effective),
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
        "as_of": day(e.as_of),
        "known_at": timestamp(e.known_at),
        "state": None if e.in_force is None else term_json(e.in_force),
        "ended": None if e.ended is None else _ended_json(e.ended),
        "pending": [_pending_json(p) for p in e.pending],
        "possible": None if e.possible is None else possible_json(e.possible),
        "chain": [_step_json(s) for s in e.chain],
        **coverage_json(e.coverage, e.as_of),
    }


def _quote_json(c: Citation) -> dict[str, Any]:
    return {"source": c.source, "quote": c.quote}


def conflicts_json(report: ConflictReport) -> dict[str, Any]:
    """`tracker conflicts --format json`: contradicted facts, single-source facts and fields."""
    return {
        "agreement": report.agreement,
        "conflicts": [
            {
                "event": c.event,
                "term": c.term,
                "supports": [_quote_json(q) for q in c.supports],
                "contradicts": [_quote_json(q) for q in c.contradicts],
            }
            for c in report.conflicts
        ],
        "single_source": [
            {"event": s.event, "term": s.term, "source": s.source} for s in report.single_source
        ],
        "single_source_fields": [
            {"term": f.term, "field": f.field, "source": f.source, "event": f.event}
            for f in report.single_source_fields
        ],
    }


def sources_json(uses: Sequence[SourceUse]) -> list[dict[str, Any]]:
    """`tracker sources --format json`: each source with how many facts it backs or disputes."""
    return [
        {
            **plain.fields_of(u.stored.source),
            "stored_text": u.stored.text is not None,
            "supports": u.supports,
            "contradicts": u.contradicts,
        }
        for u in uses
    ]


def agreements_json(agreements: Sequence[AgreementSummary]) -> list[dict[str, Any]]:
    """`tracker agreements --format json`."""
    return [{"agreement": a.agreement, "title": a.title, "version": a.version} for a in agreements]


def terms_json(
    key: str, as_of: dt.date, known_at: dt.datetime, entries: Sequence[TermEntry]
) -> dict[str, Any]:
    """`tracker terms KEY --format json`: each agreement's term as `state` shows it (a row
    each, which the JSON writer writes many at a time)."""
    from tracker.cli.jsonout import Rows

    return {
        "term": key,
        "as_of": day(as_of),
        "known_at": timestamp(known_at),
        "agreements": Rows(
            {
                "agreement": e.agreement,
                "in_force": None if e.term is None else term_json(e.term),
                "ended": None if e.ended is None else _ended_json(e.ended),
                "possible": None if e.possible is None else possible_json(e.possible),
                **coverage_json(e.coverage, as_of),
            }
            for e in entries
        ),
    }
