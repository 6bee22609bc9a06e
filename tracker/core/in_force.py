"""The rule that an amendment or affirmation applies to a term in force, kept both ways: a new
one must name a term in force on its date, and no new event (an end, a set that expires, a
retraction or a correction) may leave one already in the log applying to a term no longer in
force (pure).

Whether a term is in force depends only on the events that set it, end it, retract or correct
them: amendments and affirmations change a term's fields, never whether it is in force. So the
rule is decided on those events alone, and one fold of them answers every amendment of a
batch: the cost of an import is linear in its amendments, and the store reads, per term, only
the events that can put it in force or end it (see tracker.store.terms.presence)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import msgspec

from tracker.core.events import (
    CORRECTIONS,
    Event,
    EventCorrected,
    TermAffirmed,
    TermAmended,
    TermEnded,
    TermSet,
)
from tracker.core.placement import never_set
from tracker.core.projector import Applied, fold, resolve
from tracker.core.state import Recorded
from tracker.errors import InvalidEventError

InForceChange = TermAmended | TermAffirmed
AFTER_ALL = 2**62  # positions that sort new events after every stored one


class Needs(msgspec.Struct, frozen=True):
    """What deciding the rule for a batch reads of the log, per term: the events that can put
    it in force or end it, from the last sure term.set on or before `since`; and, from
    `stranded` on (None: not needed), the amendments and affirmations a new event may strand."""

    since: dt.date
    stranded: dt.date | None


def needs(events: Sequence[Event], terms_of: Callable[[Event], set[str]]) -> dict[str, Needs]:
    """The terms whose rule the batch engages, and what each needs (`terms_of`: the terms a
    retraction or correction touches, which only the log knows)."""
    found: dict[str, Needs] = {}
    for event in events:
        change = isinstance(event, InForceChange)
        if not (change or moves_presence(event)):
            continue
        # A retraction or correction acts on its target's dates, whatever its own: it is
        # decided on the term's whole standing.
        day = (
            dt.date.min
            if isinstance(event, CORRECTIONS)
            else event.effective.last
            if change
            else event.effective.first
        )
        for term in _touched(event, terms_of):
            old = found.get(term, Needs(day, None))
            stranded = old.stranded if change else _earliest(old.stranded, day)
            found[term] = Needs(min(old.since, day), stranded)
    return found


def check(log: Sequence[Recorded], new: Sequence[Event], terms: Callable[[], set[str]]) -> None:
    """Raise InvalidEventError when a new amendment or affirmation names a term not in force
    on its date, or when the new events leave one (stored or new) applying to a term no
    longer in force. `log`: the stored events `needs` asked for, in log order; `terms`: every
    term the agreement has set, for the message about a term never set."""
    records = list(log)
    presence: list[Applied] | None = None
    for n, event in enumerate(new):
        if isinstance(event, InForceChange):
            presence = presence if presence is not None else _presence(records)
            if event.term not in fold(presence, event.effective.last).terms:
                raise InvalidEventError(_not_in_force(event, records, terms))
        elif isinstance(event, (TermSet, TermEnded, *CORRECTIONS)):
            presence = None
        records.append(Recorded(event, AFTER_ALL + n, 0, dt.datetime.max))
    movers = [e for e in new if moves_presence(e)]
    if movers:
        _check_none_stranded(records, movers)


def _check_none_stranded(records: list[Recorded], movers: Sequence[Event]) -> None:
    """Every amendment and affirmation that counts after the batch applies to a term in force
    on its date; the first that does not is told, with the new event that strands it."""
    facts = resolve(records).facts
    presence = [a for a in facts if not isinstance(a.fact, InForceChange)]
    for applied in facts:
        change = applied.fact
        if (
            isinstance(change, InForceChange)
            and change.term not in fold(presence, change.effective.last).terms
        ):
            raise InvalidEventError(_stranded(change, movers))


def _presence(records: Sequence[Recorded]) -> list[Applied]:
    """The facts that count and can put a term in force or end it."""
    targets = {e.target for r in records if isinstance(e := r.event, CORRECTIONS)}
    kept = [r for r in records if not isinstance(r.event, InForceChange) or r.event.id in targets]
    return [a for a in resolve(kept).facts if not isinstance(a.fact, InForceChange)]


def moves_presence(event: Event) -> bool:
    """Whether an event may take a term out of force: an end, a term.set that expires, a
    retraction or a correction (a term.set without expiry only puts one in force)."""
    if isinstance(event, TermSet):
        return event.expires is not None
    return isinstance(event, (TermEnded, *CORRECTIONS))


def _touched(event: Event, terms_of: Callable[[Event], set[str]]) -> set[str]:
    if isinstance(event, (TermSet, TermEnded, TermAmended, TermAffirmed)):
        return {event.term}
    if isinstance(event, CORRECTIONS):
        own = _touched(event.replacement, terms_of) if isinstance(event, EventCorrected) else set()
        return own | terms_of(event)
    return set()


def _earliest(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return b if a is None else a if b is None else min(a, b)


def _not_in_force(
    event: InForceChange, records: Sequence[Recorded], terms: Callable[[], set[str]]
) -> str:
    """Why a change of a term not in force is refused: a term never set is most often a
    typo, told as term.ended tells it (with the terms there are)."""
    known = terms() | {r.event.term for r in records if isinstance(r.event, TermSet)}
    if event.term not in known:
        return never_set(event.id, event.term, event.agreement, known)
    return (
        f"event {event.id!r}: term {event.term!r} is not in force on {event.effective}; "
        f"{event.type} applies to a term in force (term.set puts one in force)"
    )


def _stranded(change: InForceChange, movers: Sequence[Event]) -> str:
    """Why a new event is refused: which change it would leave applying to a term not in
    force, named from the new event that ends the term where there is one."""
    ends = [e for e in movers if isinstance(e, TermEnded) and e.term == change.term]
    if ends:
        end = ends[0]
        return (
            f"event {end.id!r}: ending term {change.term!r} on {end.effective} leaves "
            f"{change.type} {change.id!r} of {change.effective} applying to a term not "
            "in force; end it after that, or retract that event first"
        )
    mover = movers[0]
    return (
        f"event {mover.id!r}: this {mover.type} leaves {change.type} {change.id!r} of "
        f"{change.effective} applying to term {change.term!r} when it is not in force; "
        "retract that event first"
    )
