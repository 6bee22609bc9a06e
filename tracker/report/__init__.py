"""The HTML report: one self-contained page (styles, script and data inline) made with Jinja2,
autoescaping on, every text from the record made visible first."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracker.core.diff import field_values
from tracker.core.text import visible
from tracker.report.chart import NARROW, chart

if TYPE_CHECKING:
    from tracker.core.diff import StateDiff, TermChange
    from tracker.core.events import StoredSource
    from tracker.core.explain import Explanation, Step
    from tracker.core.state import AgreementState, Coverage, Possible, TermState
    from tracker.service import Report

ONE_DAY = dt.timedelta(days=1)


def shown(value: Any) -> str:
    """A value as one line of visible text: text as it is, anything else as JSON."""
    if value is None:
        return "(none)"
    return visible(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


def _term_row(key: str, term: TermState) -> dict[str, Any]:
    return {
        "term": key,
        "summary": visible(term.summary),
        "value": "; ".join(f"{visible(k)}: {shown(v)}" for k, v in term.value.items()),
        "since": str(term.since),
        "expires": str(term.expires) if term.expires else "",
        "ends_when": visible(term.ends_when or ""),
        "certainty": term.certainty,
    }


def _state_data(state: AgreementState) -> dict[str, Any]:
    """A state as the page's script shows it."""
    return {
        "terms": [_term_row(k, t) for k, t in sorted(state.terms.items())],
        "pending": [
            {
                "term": p.term,
                "event": visible(p.event),
                "summary": visible(p.summary),
                "since": str(p.since),
                "certainty": p.certainty,
            }
            for p in state.pending.values()
        ],
        "ended": [
            {"term": k, "summary": visible(t.summary), "ended": str(t.ended), "reason": t.reason}
            for k, t in sorted(state.ended.items())
        ],
        "possible": [_possible_row(k, p) for k, p in sorted(state.possible.items())],
    }


def _possible_row(key: str, p: Possible) -> dict[str, Any]:
    """A change that may or may not have come, with what the term would be if it had."""
    if_so = "no longer in force"
    if p.term is not None:
        row = _term_row(key, p.term)
        if_so = f"{row['summary']}: {row['value']}" if row["value"] else row["summary"]
    return {
        "term": key,
        "date": str(p.date),
        "change": p.change,
        "certainty": p.certainty,
        "event": visible(p.event),
        "if_so": if_so,
    }


def _lines(c: TermChange) -> list[dict[str, Any]]:
    """Each changed field of a term with its old and new value."""
    before, after = c.before, c.after
    if before is None or after is None:
        return []
    lines = []
    for name in c.fields:
        if name == "sources":
            lines.append(_sources_line(before.sources, after.sources))
            continue
        if name == "citations":
            old, new = "quotes", "other quotes"
        else:
            old, new = field_values(before, after, name)
        lines.append({"name": visible(name), "old": shown(old), "new": shown(new)})
    return lines


def _sources_line(old: Sequence[str], new: Sequence[str]) -> dict[str, Any]:
    """The sources a change added (+) and dropped (−), as the CLI's diff shows them."""
    return {
        "name": "sources",
        "added": [visible(s) for s in new if s not in old],
        "dropped": [visible(s) for s in old if s not in new],
    }


def _summary(c: TermChange) -> str:
    if c.change == "came_and_went":
        from tracker.core.diff import came_and_went

        return visible(came_and_went(c))
    term = c.after or c.before
    return visible(term.summary) if term is not None else ""


def _diff_data(d: StateDiff) -> dict[str, Any]:
    """A diff as the page's script shows it."""
    return {
        "changes": [
            {
                "term": c.term,
                "change": c.change,
                "summary": _summary(c),
                "lines": _lines(c),
                "events": [visible(e) for e in c.events],
            }
            for c in d.changes
        ],
        "proposals": [
            {"term": p.term, "event": visible(p.event), "change": p.change} for p in d.proposals
        ],
        "affirmed": [{"term": a.term, "event": visible(a.event)} for a in d.affirmed],
    }


def _source_data(s: StoredSource) -> dict[str, Any]:
    src = s.source
    url = src.url if src.url and src.url.lower().startswith(("https://", "http://")) else None
    return {
        "id": visible(src.id),
        "title": visible(src.title),
        "publisher": visible(src.publisher or ""),
        "published": str(src.published) if src.published else "",
        "url": url,
        "derived_from": visible(src.derived_from or ""),
        "stored": s.text is not None,
    }


def _step_data(step: Step, titles: Mapping[str, str]) -> dict[str, Any]:
    content = step.content
    why = ", ".join(f"{b}: {r}" for b, r in zip(step.by, step.reasons, strict=True))
    return {
        "effective": str(content.effective),
        "type": content.type,
        "event": visible(content.id),
        "status": step.status,
        "why": visible(why),
        "certainty": content.certainty,
        "summary": visible(getattr(content, "summary", None) or ""),
        "note": visible(content.note or ""),
        "citations": [
            {
                "stance": c.stance,
                "source": visible(c.source),
                "title": titles.get(c.source, ""),
                "quote": visible(c.quote or ""),
            }
            for c in content.sources
        ],
    }


def _explanation_data(e: Explanation, titles: Mapping[str, str]) -> dict[str, Any]:
    if e.in_force is not None:
        status = f"In force since {e.in_force.since} ({e.in_force.certainty})"
        summary = e.in_force.summary
    elif e.ended is not None:
        status, summary = f"Ended {e.ended.ended} ({e.ended.reason})", e.ended.summary
    else:
        status, summary = "Not in force", ""
    return {
        "term": e.term,
        "status": status,
        "summary": visible(summary),
        "pending": [visible(f"{p.since}: {p.summary} ({p.certainty})") for p in e.pending],
        "steps": [_step_data(s, titles) for s in e.chain],
        "conflicted": any(c.stance == "contradicts" for s in e.chain for c in s.content.sources),
    }


def _defaults(dates: Sequence[dt.date], as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The two dates the diff shows first: the last turning day by `as_of`, and the day
    before."""
    changed = [d for d in dates[1:] if d <= as_of] or list(dates[1:2]) or [as_of]
    return changed[-1] - ONE_DAY, changed[-1]


def page_data(report: Report, as_of: dt.date) -> dict[str, Any]:
    """The data the page's script reads: every state and diff, computed beforehand."""
    dates = [s.as_of for s in report.states]
    start, end = _defaults(dates, as_of)
    return {
        "dates": [str(d) for d in dates],
        "states": [_state_data(s) for s in report.states],
        "diffs": {f"{i}-{j}": _diff_data(d) for (i, j), d in report.diffs.items()},
        "as_of": str(as_of),
        "diff_from": str(start),
        "diff_to": str(end),
        "coverage": _coverage_data(report.timeline.coverage),
    }


def _coverage_data(c: Coverage | None) -> dict[str, str] | None:
    """The last day the record reaches and what a day after it is told (None: no claim)."""
    if c is None or c.through is None or c.message is None:
        return None
    return {"last": str(c.through.last), "note": visible(c.message)}


def _visible_tree(data: Any) -> Any:
    """The data with every text in it made visible."""
    if isinstance(data, str):
        return visible(data)
    if isinstance(data, Mapping):
        return {k: _visible_tree(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_visible_tree(v) for v in data]
    return data


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `<`, `>` or `&` and no line
    separators, whatever the record holds."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def html(report: Report, as_of: dt.date, conflicts: Mapping[str, Any]) -> str:
    """The report as one HTML page."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    env = Environment(
        loader=PackageLoader("tracker.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    titles = {k: visible(s.source.title) for k, s in report.sources.items()}
    first = report.states[-1] if report.states else None
    return env.get_template("report.html.j2").render(
        agreement=report.timeline.agreement,
        title=visible(report.timeline.title or report.timeline.agreement),
        parties=[(visible(p.name), visible(p.role)) for p in (first.parties if first else ())],
        as_of=str(as_of),
        known_at=report.timeline.known_at.isoformat() + "Z" if report.timeline.known_at else "",
        chart=chart(report.timeline, as_of),
        narrow=chart(report.timeline, as_of, NARROW),
        explanations=[_explanation_data(e, titles) for e in report.explanations],
        conflicts=_visible_tree(conflicts),
        sources=[_source_data(s) for s in report.sources.values()],
        data=Markup(script_json(page_data(report, as_of))),
        all_pairs=len(report.diffs) == len(report.states) * (len(report.states) - 1) // 2,
    )
