"""Stored answers of the portfolio question (`tracker terms`): per term and agreement, the
term.set that alone answers the term from its day on; per agreement, the fact its record
reaches to. Both are derived from the log, kept in the append's transaction, read by `terms`
where they hold (replay answers the rest, as before) and rebuilt and compared by `verify`.

A term.set answers its term alone when replay would apply it after every other event of the
term in its agreement, and nothing after it: it is of one day, without expiry, alone in its
group (no retraction or correction aims at it), and every other event of the term ends before
its day, or on it and recorded before it, none in a group. Replay then puts it in force, ends
nothing and leaves nothing possible, whatever came before: on any day from its own, as known
at any moment since it was recorded, the term is that set's. The index rows say all of this
but the expiry, which the append knows and `verify` decodes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from typing import Any, NamedTuple

from tracker.core.dates import When
from tracker.core.events import CORRECTIONS, RecordReviewed, TermSet
from tracker.core.state import Coverage, Recorded
from tracker.errors import IntegrityError
from tracker.store import sql
from tracker.store.driver import Cursor
from tracker.store.terms import CREATED, IndexRow, index_rows

NEVER = dt.date.max.toordinal() + 1  # how far a term's group reaches: replay must resolve it
NOTHING = 0  # how far the other events of a term reach when there are none
# The events after which a record's reach is no longer its latest fact's.
_MARKS = (*CORRECTIONS, RecordReviewed)


class Latest(NamedTuple):
    """A term's stored answer in an agreement: the term.set that answers it (its position and
    day number; None when replay must answer), and the last day (a day number) that the
    term's other events reach."""

    position: int | None
    day: int | None
    reach: int


def step(
    latest: Latest | None, position: int, kind: str, first: int, last: int, lasting: bool
) -> Latest:
    """A term's stored answer after one more of its index rows, in log order (a group's rows
    in any order: once the term has one, replay answers it for good). `lasting`: the row's
    event has no expiry."""
    reach = NEVER if kind == "group" else last
    answers = kind == "set" and first == last and lasting
    if latest is None:
        return Latest(position, first, NOTHING) if answers else Latest(None, None, reach)
    if latest.position is None or latest.day is None:
        if answers and latest.reach <= first:  # it sorts after every other event
            return Latest(position, first, latest.reach)
        return Latest(None, None, max(latest.reach, reach))
    if answers and first >= latest.day:  # it sorts after the answer, and takes its place
        return Latest(position, first, max(latest.reach, latest.day))
    if reach < latest.day:  # it sorts before the answer, which still answers
        return Latest(latest.position, latest.day, max(latest.reach, reach))
    return Latest(None, None, max(latest.reach, latest.day, reach))


def latest_of(rows: Iterable[IndexRow], lasting: Collection[int]) -> dict[tuple[str, str], Latest]:
    """The stored answers that a log's index rows give, by term and agreement (`lasting`:
    the positions of its term.sets without expiry)."""
    found: dict[tuple[str, str], Latest] = {}
    for term, position, agreement, kind, first, last in sorted(rows, key=lambda r: r[1]):
        if term != CREATED:
            key = (term, agreement)
            found[key] = step(found.get(key), position, kind, first.toordinal(),
                              last.toordinal(), position in lasting)  # fmt: skip
    return found


def reaches_of(records: Iterable[Recorded]) -> dict[str, tuple[int, int] | None]:
    """Each agreement's latest fact, by the last day of its date then by position (as
    `tracker.core.coverage.latest_of` has it), as (day number, position); None when a review,
    a retraction or a correction has a say in how far its record reaches."""
    found: dict[str, tuple[int, int] | None] = {}
    for r in records:
        agreement = r.event.agreement
        if isinstance(r.event, _MARKS):
            found[agreement] = None
            continue
        here = (r.event.effective.last.toordinal(), r.position)
        if agreement not in found:
            found[agreement] = here
        elif (before := found[agreement]) is not None:
            found[agreement] = max(before, here)
    return found


def _lasting(records: Iterable[Recorded]) -> set[int]:
    """The positions of the term.sets without expiry."""
    return {r.position for r in records if isinstance(r.event, TermSet) and r.event.expires is None}


def keep(
    look: Cursor,
    agreement: str,
    new: Sequence[Recorded],
    rows: Sequence[IndexRow],
    grouped: set[str],
) -> None:
    """Bring an agreement's stored answers up to date, in the append's transaction: `new`
    its events, `rows` the index rows of its facts alone in their groups, in log order, and
    `grouped` the terms of the groups it indexed (see tracker.store.terms.add)."""
    keys = ({row[0] for row in rows} | grouped) - {CREATED}
    if keys:
        _keep_latest(look, agreement, sorted(keys), new, rows, grouped)
    reach = reaches_of(new)[agreement]
    row = (agreement, None, None) if reach is None else (agreement, reach[1], reach[0])
    look.insert(sql.REACH_PUT.format(marks=_marks(look, 3)), [row])


def _keep_latest(
    look: Cursor,
    agreement: str,
    keys: list[str],
    new: Sequence[Recorded],
    rows: Sequence[IndexRow],
    grouped: set[str],
) -> None:
    """Read the stored answers of these terms, step them through the rows, write them back."""
    stored: dict[str, Latest] = {}
    for filled, params in look.filled(sql.LATEST_READ, keys, {"agreement": agreement}):
        stored |= {term: Latest(p, d, r) for term, p, d, r in look.rows(filled, params)}
    lasting = _lasting(new)
    for term, position, _, kind, first, last in rows:
        if term != CREATED:
            stored[term] = step(stored.get(term), position, kind, first.toordinal(),
                                last.toordinal(), position in lasting)  # fmt: skip
    for term in grouped:
        stored[term] = Latest(None, None, NEVER)
    put = sql.LATEST_PUT.format(marks=_marks(look, len(sql.LATEST_COLUMNS)))
    look.insert(put, [(term, agreement, *stored[term]) for term in keys])


def _marks(look: Cursor, count: int) -> str:
    return ", ".join(["?" if look.sqlite else "%s"] * count)


def reached(look: Cursor, agreements: Sequence[str], upto: int) -> dict[str, Coverage]:
    """The stored reach of each of these agreements that has one, as the events up to
    position `upto` give it: the last day of its latest fact's date, and that fact (as
    `tracker.core.coverage.latest_of` gives it)."""
    found = {}
    days: dict[object, When] = {}
    for filled, params in look.filled(sql.REACH_READ, agreements, {"upto": upto}):
        for agreement, event_id, day, _ in look.rows(filled, params):
            found[agreement] = reach_of(agreement, day, event_id, days)
    return found


def reach_of(agreement: str, day: object, event_id: str, days: dict[object, When]) -> Coverage:
    """An agreement's stored reach from its day (a day number) and the id of its event;
    `days` keeps the When of each day made, as many agreements reach to the same day."""
    when = days.get(day) if type(day) is int else None
    if when is None:
        when = When.day(_date(agreement, day))
        if type(day) is int:
            days[day] = when
    return Coverage(when, False, event_id)


def _date(agreement: str, number: object) -> dt.date:
    """A stored reach's day; a damaged one is one line."""
    try:
        return dt.date.fromordinal(number)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise IntegrityError(
            f"the stored reach of {agreement} is damaged (its day is {number!r}, no day);"
            " run tracker verify"
        ) from None


def check(look: Cursor, agreement: str | None, records: list[Recorded]) -> list[str]:
    """How the stored answers (of every agreement, or one) differ from the ones the log
    implies (`records`: its events that decode), one line per row: a forged, stale or damaged
    answer is named, as reads trust it."""
    where = "" if agreement is None else " WHERE agreement = :agreement"
    params = {"agreement": agreement}
    latest = latest_of(index_rows(records), _lasting(records))
    expected = {(t, a, *answer) for (t, a), answer in latest.items()}
    stored: set[tuple[Any, ...]] = set(look.rows(sql.LATEST_STORED.format(where=where), params))
    missing = [f"term answers: {r[0]!r} of {r[1]} ({_latest(r)}) is missing"
               for r in sorted(expected - stored, key=_sorted)]  # fmt: skip
    extra = [f"term answers: {r[0]!r} of {r[1]} is stored as {_latest(r)}, which the log "
             "does not give it" for r in sorted(stored - expected, key=_sorted)]  # fmt: skip
    return missing + extra + _check_reaches(look, where, params, records)


def _check_reaches(
    look: Cursor, where: str, params: dict[str, Any], records: list[Recorded]
) -> list[str]:
    expected = {(a, *((None, None) if r is None else (r[1], r[0])))
                for a, r in reaches_of(records).items()}  # fmt: skip
    stored: set[tuple[Any, ...]] = set(look.rows(sql.REACH_STORED.format(where=where), params))
    missing = [f"reach: {r[0]} ({_reach(r)}) is missing"
               for r in sorted(expected - stored, key=_sorted)]  # fmt: skip
    extra = [f"reach: {r[0]} is stored as {_reach(r)}, which the log does not give it"
             for r in sorted(stored - expected, key=_sorted)]  # fmt: skip
    return missing + extra


def _latest(row: tuple[Any, ...]) -> str:
    """A stored answer as verify shows it."""
    position, day, reach = row[2:]
    others = {NEVER: "retracted or corrected", NOTHING: "none"}.get(reach) or f"to {_day(reach)}"
    answer = "replayed" if position is None else f"the term.set at {position} of {_day(day)}"
    return f"{answer}; the other events: {others}"


def _reach(row: tuple[Any, ...]) -> str:
    """A stored reach as verify shows it."""
    position, day = row[1:]
    if position is None and day is None:
        return "left to its reviews, retractions and corrections"
    return f"the event at {position!r}, to {_day(day)}"


def _day(number: object) -> str:
    """A stored day number as a date, or as it is when it cannot be one."""
    try:
        return dt.date.fromordinal(number).isoformat()  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return repr(number)


def _sorted(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple(str(value) for value in row)
