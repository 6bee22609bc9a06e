"""The diff: a pure comparison of two states of one agreement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tracker.core.state import AgreementState, TermState

Change = Literal["added", "ended", "changed"]
ProposalChange = Literal["opened", "adopted", "rejected", "withdrawn"]


@dataclass(frozen=True, slots=True)
class TermChange:
    """How one term differs between the two states, and the events that made it so."""

    term: str
    change: Change
    before: TermState | None
    after: TermState | None
    fields: tuple[str, ...]
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProposalChangeRow:
    """A proposal opened or resolved between the two states."""

    event: str
    term: str
    change: ProposalChange


@dataclass(frozen=True, slots=True)
class StateDiff:
    """Everything that differs between two states."""

    agreement: str
    before: AgreementState
    after: AgreementState
    changes: tuple[TermChange, ...]
    proposals: tuple[ProposalChangeRow, ...]


def changed_fields(before: TermState, after: TermState) -> tuple[str, ...]:
    """The fields that differ, `value` compared key by key (as `value.<key>`)."""
    names: list[str] = []
    for name in ("summary", "since", "expires", "ends_when", "certainty"):
        if getattr(before, name) != getattr(after, name):
            names.append(name)
    keys = sorted(set(before.value) | set(after.value))
    names.extend(f"value.{k}" for k in keys if before.value.get(k) != after.value.get(k))
    if before.sources != after.sources:
        names.append("sources")
    elif before.citations != after.citations:
        names.append("citations")
    return tuple(names)


def _new(events: tuple[str, ...], old: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(e for e in events if e not in old)


def _ending_events(key: str, before: TermState, new: AgreementState) -> tuple[str, ...]:
    """What ended a term: its term.ended event, the retraction of its events, or (when it
    expired) the events that set its expiry."""
    ended = new.ended.get(key)
    if ended is not None:
        return _new(ended.events, before.events) or before.events
    retractions = tuple(new.retracted[e] for e in before.events if e in new.retracted)
    return tuple(dict.fromkeys(retractions)) or before.events


def _term_change(key: str, old: AgreementState, new: AgreementState) -> TermChange | None:
    before, after = old.terms.get(key), new.terms.get(key)
    if before is None and after is not None:
        return TermChange(key, "added", None, after, (), after.events)
    if before is not None and after is None:
        return TermChange(key, "ended", before, None, (), _ending_events(key, before, new))
    if before is not None and after is not None and before != after:
        fields = changed_fields(before, after)
        return TermChange(key, "changed", before, after, fields, _new(after.events, before.events))
    return None


def _proposal_changes(old: AgreementState, new: AgreementState) -> list[ProposalChangeRow]:
    rows = [
        ProposalChangeRow(p.event, p.term, "opened")
        for p in new.pending.values()
        if p.event not in old.pending and p.event not in old.resolved
    ]
    for p in new.resolved.values():
        if p.event not in old.resolved and p.resolution is not None:
            if p.event not in old.pending:
                rows.append(ProposalChangeRow(p.event, p.term, "opened"))
            rows.append(ProposalChangeRow(p.event, p.term, p.resolution))
    return rows


def diff(old: AgreementState, new: AgreementState) -> StateDiff:
    """What changed from `old` to `new`: terms added, ended or changed; proposals moved."""
    keys = sorted(set(old.terms) | set(new.terms))
    changes = tuple(c for k in keys if (c := _term_change(k, old, new)) is not None)
    return StateDiff(old.agreement, old, new, changes, tuple(_proposal_changes(old, new)))
