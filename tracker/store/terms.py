"""The term index: which events concern which term, written in the append's transaction and
read by the portfolio question (one term in every agreement).

Events are indexed by group: a fact together with the retractions and corrections aimed at
it (and at them, and so on). Every event of a group is indexed under every term that any
version of its fact names, so reading one term's events brings whole groups, and replaying
them resolves retractions and corrections exactly as replaying the whole log does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import msgspec

from tracker.core.dates import When
from tracker.core.events import (
    CORRECTIONS,
    AgreementCreated,
    Event,
    EventCorrected,
    TermEnded,
    TermSet,
)
from tracker.core.in_force import Needs
from tracker.core.state import Coverage, Recorded
from tracker.errors import IntegrityError
from tracker.store import codec, sql
from tracker.store.driver import Cursor, moment

IndexRow = tuple[str, int, str, str, dt.date, dt.date]
# term, position, agreement, kind, first, last: the dates are stored as day numbers
# (`date.toordinal`), a few bytes where ISO text takes ten; when the event was recorded is the
# events row's, read through its position.


# The pseudo-term of agreement.created (no term key is empty): replay needs each agreement's
# creation, as nothing can be possible before it; its group is always read (from its index
# rows alone while the creation stands alone in it: its first day is all a term needs).
CREATED = ""


def _term(event: Event) -> str | None:
    """The term an event is indexed under by itself (CREATED for a creation)."""
    if isinstance(event, EventCorrected):
        return _term(event.replacement)
    return CREATED if isinstance(event, AgreementCreated) else getattr(event, "term", None)


def index_rows(records: Sequence[Recorded]) -> list[IndexRow]:
    """The index rows of some events, in their order: whole groups, or the rows come out
    short (the log's rule, used on append and by verify; the migration keeps a frozen copy).
    A fact alone in its group (no retraction or correction aims at it) is indexed under its
    term as a `set` or a `fact` (a creation as a `group`: its group is always read); each
    event of a larger group under every term of the group, as a `group`."""
    parent = {r.event.id: r.event.target for r in records if isinstance(r.event, CORRECTIONS)}
    if parent and len({r.event.agreement for r in records}) > 1:
        return _per_agreement(records)  # ids are unique within an agreement only
    root = _roots(parent)
    grouped = set(root.values()) | parent.keys()
    groups: dict[str, list[Recorded]] = {}
    rows: list[IndexRow] = []
    for r in records:  # one pass, no call per plain fact: this is every append's cost
        event = r.event
        if grouped and event.id in grouped:
            groups.setdefault(root.get(event.id, event.id), []).append(r)
        elif (term := _term(event)) is not None:
            kind = "group" if term == CREATED else _kind(event)
            when = event.effective
            rows.append((term, r.position, event.agreement, kind, when.first, when.last))
    for members in groups.values():
        terms = sorted({t for r in members if (t := _term(r.event)) is not None})
        kind = "group" if len(members) > 1 or CREATED in terms else _kind(members[0].event)
        rows.extend(_row(t, r, kind) for r in members for t in terms)
    return rows


def _per_agreement(records: Sequence[Recorded]) -> list[IndexRow]:
    """The index rows of the events of several agreements (what verify checks), each
    agreement's groups made of its own events alone."""
    by_agreement: dict[str, list[Recorded]] = {}
    for r in records:
        by_agreement.setdefault(r.event.agreement, []).append(r)
    return [row for part in by_agreement.values() for row in index_rows(part)]


def _kind(event: Event) -> str:
    """The kind of a fact alone in its group: a term.set, which replaces what came before;
    a term.ended, which with the sets decides whether a term is in force (see `presence`);
    or another fact."""
    return (
        "set" if isinstance(event, TermSet) else "end" if isinstance(event, TermEnded) else "fact"
    )


def _row(term: str, r: Recorded, kind: str) -> IndexRow:
    when = r.event.effective
    return (term, r.position, r.event.agreement, kind, when.first, when.last)


def _roots(parent: dict[str, str]) -> dict[str, str]:
    """The fact each chain of retractions and corrections is aimed at, for every event that
    has a parent (a cycle, which only a damaged log can hold, stops where it closes: each
    member's root is the member aimed at it). Each event is walked once, so a long chain
    costs its length, not its length squared."""
    root: dict[str, str] = {}
    for start in parent:
        path: list[str] = []
        on_path: dict[str, int] = {}
        event_id = start
        while event_id not in root and event_id not in on_path:
            on_path[event_id] = len(path)
            path.append(event_id)
            up = parent.get(event_id)
            if up is None:
                root.update(dict.fromkeys(path, event_id))
                break
            event_id = up
        else:
            _settle(path, on_path, event_id, root)
    return root


def _settle(path: list[str], on_path: dict[str, int], met: str, root: dict[str, str]) -> None:
    """Give the roots of a walk that met an event already settled (it shares that one's root)
    or came back to one of its own (a cycle: each member's root is the member before it, and
    the walk's way into the cycle shares its entry's)."""
    if met in root:
        root.update(dict.fromkeys(path, root[met]))
        return
    entry = on_path[met]
    cycle = path[entry:]
    for before, member in zip([cycle[-1], *cycle], cycle, strict=False):
        root[member] = before
    root.update(dict.fromkeys(path[:entry], cycle[-1]))


class Indexed(NamedTuple):
    """What `add` indexed: the rows of the facts it indexed by themselves, in log order, and
    the terms of the groups it indexed anew."""

    rows: list[IndexRow]
    grouped: set[str]


def add(look: Cursor, new: Sequence[Recorded]) -> Indexed:
    """Index events just inserted (in this transaction): a plain fact under its own term;
    a retraction or correction by re-indexing its whole group, which it may extend."""
    targets = [r.event.target for r in new if isinstance(r.event, CORRECTIONS)]
    facts = [r for r in new if not isinstance(r.event, CORRECTIONS)] if targets else new
    rows = index_rows(facts)
    _insert(look, rows)
    if not targets:
        return Indexed(rows, set())
    agreement = {"agreement": new[0].event.agreement}  # an append's events are of one
    group = _groups(look, agreement["agreement"], targets)
    look.execute_among(sql.TERM_DELETE, [r.position for r in group], agreement)
    grouped = index_rows(group)
    _insert(look, grouped)
    return Indexed(rows, {row[0] for row in grouped})


def _insert(look: Cursor, rows: Iterable[IndexRow]) -> None:
    """Insert index rows straight to the driver, as the log inserts its rows, their dates as
    day numbers."""
    stored = [(t, p, a, k, first.toordinal(), last.toordinal()) for t, p, a, k, first, last in rows]
    if not stored:
        return
    if look.sqlite:
        look.insert(sql.TERM_INSERT_SQLITE, stored)
    else:
        look.copy("term_events", sql.TERM_COLUMNS, stored)


def _groups(look: Cursor, agreement: str, targets: Sequence[str]) -> list[Recorded]:
    """Every stored event of the groups these events of the agreement belong to, by
    position."""
    params = {"agreement": agreement}
    roots: set[str] = set()
    seen, frontier = set(targets), set(targets)
    while frontier:  # up to the facts the chains are aimed at
        found = look.among(sql.TERM_TARGETS, sorted(frontier), params)
        roots |= {i for i, target in found if target is None}
        frontier = {target for _, target in found if target is not None} - seen
        seen |= frontier
    members: dict[int, Recorded] = {}
    rows = look.among(sql.TERM_MEMBERS, sorted(roots), params)
    while rows:  # down to every retraction and correction aimed at them
        for record in codec.stored_records(row[:6] for row in rows):
            members[record.position] = record
        below = look.among(sql.TERM_AIMED, [row[-1] for row in rows], params)
        rows = [row for row in below if row[3] not in members]
    return [members[p] for p in sorted(members)]


_NEVER = dt.date.max.toordinal() + 1


def presence(look: Cursor, agreement: str, wanted: Mapping[str, Needs]) -> list[Recorded]:
    """What deciding whether terms are in force reads (see tracker.core.in_force.needs), in
    log order: per term, a range of the index and the events it points to, never the log."""
    rows = []
    for term, need in wanted.items():
        stranded = _NEVER if need.stranded is None else need.stranded.toordinal()
        params = {"term": term, "agreement": agreement, "since": need.since.toordinal(),
                  "stranded": stranded}  # fmt: skip
        rows += look.rows(sql.TERM_PRESENCE, params)
    return _in_log_order(codec.stored_records(rows))


def group_terms(look: Cursor, event: Event) -> set[str]:
    """The terms of the group a retraction or correction joins (its target's, and those of
    the events aimed at it): the terms whose standing it may change."""
    if not isinstance(event, CORRECTIONS):
        return set()
    return {
        t
        for r in _groups(look, event.agreement, [event.target])
        if (t := _term(r.event)) not in (None, CREATED)
    }


def keys(look: Cursor, agreement: str | None, known_at: dt.datetime | None) -> list[str]:
    """Every term key some event names (of the agreement, or of any), recorded by `known_at`
    (retracted or not): the keys a reader may ask about."""
    statement = sql.TERM_KEYS.format(
        agreement="" if agreement is None else " AND x.agreement = :agreement",
        known="" if known_at is None else " AND e.recorded_at <= :known_at",
    )
    params = {"created": CREATED, "agreement": agreement, "known_at": known_at}
    return [str(key) for (key,) in look.rows(statement, params)]


class TermLog(NamedTuple):
    """One agreement's events that replaying a term needs, in log order; and the first day
    of its creation when that is alone in its group and left out of them, as replaying one
    term needs nothing else of it (None when the creation is among them, unknown, or cannot
    count: when no change may have come by the day asked about)."""

    created: dt.date | None
    records: list[Recorded]


class Answer(msgspec.Struct, frozen=True, gc=False):
    """A term as a stored answer gives it in an agreement: the term.set that alone answers
    it (which replay would apply after every other event of the term, and nothing after it;
    a damaged answer may hold another event, which replay then takes as it is), and the
    agreement's stored reach, read with it (None: `read_reaches` says). One per agreement: a
    struct, made at a sixth of a named tuple's cost, and untracked as the values it holds."""

    record: Recorded
    reach: Coverage | None


class TermRead(NamedTuple):
    """One term in every agreement that has it, as `read` reads it: by agreement, the ones
    stored answers give, and the logs of the others, to replay."""

    answers: dict[str, Answer]
    logs: dict[str, TermLog]


def read(look: Cursor, term: str, as_of: dt.date, known_at: dt.datetime) -> TermRead:
    """The term on `as_of` as known at `known_at`, in every agreement: the stored answers
    that give it (with each agreement's stored reach, when everything was recorded by then),
    and the events indexed under it that can matter, by agreement: replaying them gives the
    term as the whole log does."""
    latest = look.rows(sql.TERM_LATEST, {})
    upto, at = latest[0] if latest else (0, None)
    everything = at is None or moment(at) <= known_at  # the common case: now
    statement = sql.TERM_READ.format(
        known="" if everything else sql.TERM_KNOWN,
        answer_known="" if everything else sql.TERM_ANSWER_KNOWN,
    )
    params = {"term": term, "created": CREATED, "as_of": as_of.toordinal(),
              "known_at": known_at, "upto": upto, "everything": everything}  # fmt: skip
    answered: list[tuple[Any, ...]] = []
    replayed: list[tuple[Any, ...]] = []
    creations: dict[str, list[tuple[Any, ...]]] = {}
    for row in look.rows(statement, params):
        if row[7] is None:  # a stored answer's term.set, alone in its agreement's rows
            answered.append(row)
        elif row[1] is None:  # a creation group's row, its event not read
            creations.setdefault(row[0], []).append(row)
        else:
            replayed.append(row)
    created = {a: _creation_day(found[0]) for a, found in creations.items() if len(found) == 1}
    grouped = [row[4] for a, found in creations.items() if a not in created for row in found]
    logs = _logs(created, replayed, look.among(sql.TERM_EVENTS, grouped))
    return TermRead(_answers(answered), logs)


def _creation_day(row: tuple[Any, ...]) -> dt.date:
    """The first day a creation's index row holds; a damaged one is one line."""
    agreement, position, first = row[0], row[4], row[7]
    try:
        return dt.date.fromordinal(first)
    except (TypeError, ValueError, OverflowError):
        raise IntegrityError(
            f"the term index row at position {position} ({agreement}) is damaged (its first"
            f" day is {first!r}, no day); run tracker verify"
        ) from None


def _logs(created: dict[str, dt.date], *read: list[tuple[Any, ...]]) -> dict[str, TermLog]:
    """The events read (agreement, then the log's columns) by agreement, in log order, and the
    first days of the creations left out."""
    logs: dict[str, list[Recorded]] = {a: [] for a in created}
    rows = [row for some in read for row in some]
    records = codec.stored_records(row[1:7] for row in rows)
    for row, record in zip(rows, records, strict=True):
        logs.setdefault(row[0], []).append(record)
    return {a: TermLog(created.get(a), _in_log_order(log)) for a, log in logs.items()}


def _answers(rows: list[tuple[Any, ...]]) -> dict[str, Answer]:
    """The stored answers read (agreement, the log's columns, then the stored reach's day and
    event id), by agreement."""
    from tracker.store.answers import reach_of  # which imports this module

    records = codec.stored_records(row[1:7] for row in rows)
    days: dict[object, When] = {}
    found = {}
    for row, record in zip(rows, records, strict=True):
        agreement, day, event_id = row[0], row[8], row[9]
        reach = None if event_id is None else reach_of(agreement, day, event_id, days)
        found[agreement] = Answer(record, reach)
    return found


def _in_log_order(records: list[Recorded]) -> list[Recorded]:
    """Records by position, each once: a group with a creation and the term is read under
    both (most agreements have a single record)."""
    if len(records) == 1:
        return records
    return [r for _, r in sorted({r.position: r for r in records}.items())]


def logged(look: Cursor, agreement: str | None = None) -> list[Recorded]:
    """Every event of the log (or of one agreement) that decodes, by position, as the data
    derived from it is rebuilt from them; events that do not are verify's to name. Rows are
    read as every read reads them, on the store's cursor: no stored value, however damaged,
    stops the check. (When an event was recorded is not the derived data's: it is read
    through the log.)"""
    where = "" if agreement is None else " WHERE agreement = :agreement"
    records: list[Recorded] = []
    for chunk in look.stream(sql.TERM_CHECKED.format(where=where), {"agreement": agreement}):
        for payload, ty, sv, position, version, recorded_at in chunk:
            try:
                event = codec.decode(payload, ty, sv)
            except (codec.UndecodableError, TypeError):
                continue
            records.append(Recorded(event, position, version, recorded_at))
    return records


def check(
    look: Cursor, agreement: str | None = None, records: list[Recorded] | None = None
) -> list[str]:
    """How the stored index (of every agreement, or one) differs from the one the log
    implies (`records`, as `logged` reads them), one line per row (a tampered, stale or
    damaged index)."""
    where = "" if agreement is None else " WHERE agreement = :agreement"
    params = {"agreement": agreement}
    if records is None:
        records = logged(look, agreement)
    stored: set[tuple[Any, ...]] = set(look.rows(sql.TERM_STORED.format(where=where), params))
    # Compared as stored, day numbers and all: a damaged row is named, whatever it holds.
    expected = {(t, p, a, k, first.toordinal(), last.toordinal())
                for t, p, a, k, first, last in index_rows(records)}  # fmt: skip
    missing = [f"term index: position {r[1]} ({r[2]}) is missing under term {r[0]!r}"
               for r in sorted(expected - stored, key=_by_position)]  # fmt: skip
    extra = [f"term index: position {r[1]} ({r[2]}) is listed under term {r[0]!r} as "
             f"{r[3]} {_day(r[4])}..{_day(r[5])}, which the log does not give it"
             for r in sorted(stored - expected, key=_by_position)]  # fmt: skip
    return missing + extra


def _day(number: object) -> str:
    """A stored day number as a date, or as it is when it cannot be one."""
    try:
        return dt.date.fromordinal(number).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return repr(number)


def _by_position(row: tuple[Any, ...]) -> tuple[int, int, str]:
    """By position, then term (a damaged position, not a number, last)."""
    position = row[1]
    if isinstance(position, int):
        return (0, position, str(row[0]))
    return (1, 0, repr(row))
