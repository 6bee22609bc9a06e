"""The diff: a pure comparison of two states of one agreement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

import msgspec
from msgspec.structs import replace

from tracker.core.dates import When
from tracker.core.events import Fact, TermAffirmed, TermAmended, TermEnded, TermSet
from tracker.core.projector import Applied, Resolved, known, resolve, state_of
from tracker.core.state import (
    AgreementState,
    Coverage,
    EndedTerm,
    Recorded,
    TermState,
    certainty_text,
    provenance,
)

Change = Literal["added", "ended", "changed", "came_and_went", "settled"]
ProposalChange = Literal["opened", "adopted", "rejected", "withdrawn"]


class TermChange(msgspec.Struct, frozen=True):
    """How one term differs between the two states, and the events that made it so."""

    term: str
    change: Change
    before: TermState | None
    after: TermState | None
    fields: tuple[str, ...]
    events: tuple[str, ...]
    since: When | None = None  # came_and_went: the date it came (neither state holds it)
    ending: EndedTerm | None = None  # came_and_went: how it went, with its last summary


class ProposalChangeRow(msgspec.Struct, frozen=True):
    """A proposal opened or resolved between the two states."""

    event: str
    term: str
    change: ProposalChange


class StateDiff(msgspec.Struct, frozen=True):
    """Everything that differs between two states."""

    agreement: str
    before: AgreementState
    after: AgreementState
    changes: tuple[TermChange, ...]
    proposals: tuple[ProposalChangeRow, ...]
    affirmed: tuple[Affirmation, ...] = ()
    coverage: Coverage | None = None  # how far the record reaches (None: not asked)
    published: tuple[dt.date, dt.date] | None = None  # a publication diff's two dates


class Affirmation(msgspec.Struct, frozen=True):
    """A source said a term in force was unchanged: support, not a change."""

    term: str
    event: str


def changed_fields(before: TermState, after: TermState) -> tuple[str, ...]:
    """The fields that differ, `value` compared key by key (as `value.<key>`, or as
    `fields.<key>` when only a field's provenance changed)."""
    names: list[str] = []
    for name in ("summary", "since", "expires", "ends_when", "certainty"):
        if getattr(before, name) != getattr(after, name):
            names.append(name)
    keys = sorted(set(before.value) | set(after.value))
    names.extend(f"value.{k}" for k in keys if before.value.get(k) != after.value.get(k))
    if before.since == after.since:  # a term set anew changes every field's provenance
        names.extend(
            f"fields.{k}"  # same value, another date, certainty or source
            for k in keys
            if before.value.get(k) == after.value.get(k)
            and before.fields.get(k) != after.fields.get(k)
        )
    if before.sources != after.sources:
        names.append("sources")
    elif before.citations != after.citations:
        names.append("citations")
    return tuple(names)


def field_values(before: TermState, after: TermState, name: str) -> tuple[Any, Any]:
    """The old and new values of a field `changed_fields` names, as the table and the report
    show them: a key of the value as it is (None: absent), a date as its text, a field's
    provenance and the certainty in words, another field as the term holds it. `sources` and
    `citations` are lists, which each shows its own way."""
    if name.startswith("value."):
        key = name.removeprefix("value.")
        return before.value.get(key), after.value.get(key)
    if name.startswith("fields."):
        key = name.removeprefix("fields.")
        return provenance(before.fields.get(key)), provenance(after.fields.get(key))
    if name == "certainty":
        return certainty_text(before), certainty_text(after)
    old, new = getattr(before, name), getattr(after, name)
    if name in ("since", "expires"):
        return _text(old), _text(new)
    return old, new


def _text(when: When | None) -> str | None:
    return None if when is None else when.text


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


def _substance(term: TermState) -> TermState:
    """A term without what affirmations add (their events and citations)."""
    return replace(term, sources=(), citations=(), affirmed_by=())


def _term_change(
    key: str, old: AgreementState, new: AgreementState, touched: tuple[str, ...]
) -> TermChange | None:
    before, after = old.terms.get(key), new.terms.get(key)
    if before is None and after is not None:
        maybe = old.possible.get(key)
        settled = maybe is not None and maybe.term == after
        return TermChange(
            key, "settled" if settled else "added", None, after, (), touched or after.events
        )
    if before is not None and after is None:
        ending = touched or _ending_events(key, before, new)
        return TermChange(key, "ended", before, None, (), ending)
    if before is not None and after is not None:
        if before == after or (
            _substance(before) == _substance(after) and before.affirmed_by != after.affirmed_by
        ):
            return None
        fields = changed_fields(before, after)
        events = touched or _new(after.events, before.events)
        return TermChange(key, "changed", before, after, fields, events)
    return TermChange(key, "came_and_went", None, None, (), touched) if touched else None


def came_and_went(c: TermChange) -> str:
    """A term that came and went inside a diff's window, in words: its summary, when it came,
    and when and why it went (the table's and the report's one wording)."""
    came = f"from {c.since}" if c.since is not None else ""
    if c.ending is None:
        return f"({came})" if came else ""
    went = f"{c.ending.reason} {c.ending.ended}"
    return f"{c.ending.summary} ({came}; {went})" if came else f"{c.ending.summary} ({went})"


def _came_and_went(change: TermChange, new: AgreementState, window: list[Applied]) -> TermChange:
    """A term that came and went between the two states is in neither, so its content comes
    from the way between: it came with its last term.set there (a later one would have kept
    it in force) and went as the later state's ended term says."""
    sets = [a.fact for a in window if isinstance(a.fact, TermSet) and a.fact.term == change.term]
    since = sets[-1].effective if sets else None
    return replace(change, since=since, ending=new.ended.get(change.term))


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


def diff(old: AgreementState, new: AgreementState, window: Iterable[Applied] = ()) -> StateDiff:
    """What changed from `old` to `new`: terms added, ended, changed, settled, or added and
    ended in between; proposals moved; affirmations. `window`: the facts dated between the
    two states, which name every event that touched each term on the way."""
    window = list(window)
    touched: dict[str, tuple[str, ...]] = {}
    affirmed: list[Affirmation] = []
    for applied in window:
        fact = applied.fact
        if isinstance(fact, TermAffirmed):
            affirmed.extend(Affirmation(fact.term, e) for e in applied.events)
        elif isinstance(fact, TermSet | TermAmended | TermEnded):
            touched[fact.term] = (*touched.get(fact.term, ()), *applied.events)
    keys = sorted(set(old.terms) | set(new.terms) | set(touched))
    changes = tuple(
        _came_and_went(c, new, window) if c.change == "came_and_went" else c
        for k in keys
        if (c := _term_change(k, old, new, touched.get(k, ()))) is not None
    )
    proposals = tuple(_proposal_changes(old, new))
    return StateDiff(old.agreement, old, new, changes, proposals, tuple(affirmed))


def diff_between(
    agreement: str,
    records: Iterable[Recorded],
    start: dt.date,
    end: dt.date,
    known_at: dt.datetime | None = None,
) -> StateDiff:
    """The diff of an agreement's states on two dates, with the way between them."""
    resolution = resolve(known(records, known_at))
    old = state_of(agreement, resolution, start, known_at)
    new = state_of(agreement, resolution, end, known_at)
    return diff_across(resolution, old, new)


def diff_across(resolution: Resolved, old: AgreementState, new: AgreementState) -> StateDiff:
    """The diff of two states folded from `resolution`, with the facts dated between them:
    what `diff_between` answers, for a caller that holds many states of one log."""
    low, high = min(old.as_of, new.as_of), max(old.as_of, new.as_of)
    window = [a for a in resolution.facts if _within(a.fact, low, high)]
    return diff(old, new, window)


def _within(fact: Fact, low: dt.date, high: dt.date) -> bool:
    """True for a fact that had surely come by `high` and may have come after `low`; an
    affirmation, which changes nothing a state shows, only when it surely came after `low`
    (one dated `2024` is not an event of the second half of 2024)."""
    when = fact.effective
    if isinstance(fact, TermAffirmed):
        return low < when.first and when.last <= high
    return low < when.last <= high
