"""The rules an event must follow to join an agreement's log, and what an append leaves out
(pure: the store fetches what the events refer to, these functions decide)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from tracker.core.events import (
    AgreementCreated,
    Event,
    EventCorrected,
    ProposalResolved,
    Source,
    StoredSource,
    TermAffirmed,
    TermAmended,
    TermEnded,
    reference,
)
from tracker.core.placement import never_set, set_terms
from tracker.core.projector import fold, known, resolve
from tracker.core.state import Recorded
from tracker.errors import EventConflictError, InvalidEventError


class Known(NamedTuple):
    """What the log knows of an event another one refers to (`effective`: the first day its
    date can be)."""

    agreement: str
    type: str
    effective: dt.date


def check_fits(agreement: str, version: int, event: Event, known: dict[str, Known]) -> None:
    """Raise InvalidEventError unless the event fits the log at `version`: a log starts with
    agreement.created, and refers only to earlier events of its own agreement."""
    if version == 0 and not isinstance(event, AgreementCreated):
        raise InvalidEventError(
            f"event {event.id!r}: the first event of {agreement!r} must be agreement.created"
            " (an amendment file needs its agreement imported first)"
        )
    if version > 0 and isinstance(event, AgreementCreated):
        raise InvalidEventError(f"event {event.id!r}: agreement {agreement!r} already exists")
    ref = reference(event)
    if ref is None:
        return
    if ref not in known:
        raise InvalidEventError(f"event {event.id!r} refers to unknown event {ref!r}")
    target = known[ref]
    if target.agreement != agreement:
        raise InvalidEventError(
            f"event {event.id!r} refers to {ref!r} of another agreement ({target.agreement!r})"
        )
    if isinstance(event, ProposalResolved):
        if target.type != "term.proposed":
            raise InvalidEventError(
                f"event {event.id!r}: {ref!r} is not a proposal: its type is {target.type}, "
                "not term.proposed"
            )
        if event.effective.last < target.effective:
            raise InvalidEventError(
                f"event {event.id!r}: resolved on {event.effective}, before proposal {ref!r} "
                f"was made ({target.effective})"
            )
    if isinstance(event, EventCorrected) and target.type == "event.retracted":
        raise InvalidEventError(
            f"event {event.id!r}: a retraction cannot be corrected; retract {ref!r} instead"
        )


def check_all_fit(
    agreement: str, version: int, events: Sequence[Event], known: dict[str, Known]
) -> None:
    """Check each event in turn, as if those before it were already appended at `version`."""
    known = dict(known)
    for offset, event in enumerate(events):
        check_fits(agreement, version + offset, event, known)
        known[event.id] = Known(agreement, event.type, event.effective.first)


def new_events(agreement: str, events: Sequence[Event], stored: Mapping[str, Event]) -> list[Event]:
    """The events not stored yet (`stored`: the stored events with these ids). An event of
    another agreement, or an id already used by other content (stored, or earlier in the
    batch), is an error; an exact repeat is skipped, which makes appends idempotent."""
    seen: dict[str, Event] = {}
    new: list[Event] = []
    for event in events:
        if event.agreement != agreement:
            raise InvalidEventError(
                f"event {event.id!r} belongs to agreement {event.agreement!r}, not {agreement!r}"
            )
        earlier = seen.get(event.id) or stored.get(event.id)
        if earlier is not None and earlier != event:
            raise EventConflictError(_conflict(event, earlier, stored_too=event.id in stored))
        if earlier is None:
            new.append(event)
        seen[event.id] = event
    return new


def _conflict(event: Event, earlier: Event, *, stored_too: bool) -> str:
    """Why an id cannot be used again: by which agreement, what differs, what to do."""
    where = "in the log" if stored_too else "earlier in the batch"
    if earlier.agreement != event.agreement:
        return (
            f"event id {event.id!r} is already used by agreement {earlier.agreement!r}; "
            "event ids are unique across agreements, so choose another"
        )
    if earlier.type != event.type:
        differs = f"it is a {earlier.type} there, a {event.type} here"
    else:
        before, after = earlier.model_dump(), event.model_dump()
        fields = [k for k in after if before.get(k) != after.get(k)]
        differs = f"differs in: {', '.join(fields)}"
    return (
        f"event id {event.id!r} is already used {where} of {event.agreement!r} by an event "
        f"with other content ({differs}); to change a recorded event, record an "
        f"event.corrected with target {event.id!r}"
    )


def new_sources(
    sources: Sequence[StoredSource], stored: Mapping[str, StoredSource]
) -> list[StoredSource]:
    """The sources not stored yet; one stored with other content is an error."""
    new = []
    for s in sources:
        old = stored.get(s.source.id)
        if old is not None and old != s:
            raise EventConflictError(
                f"source {s.source.id!r} is already stored with other content (it differs in "
                f"{', '.join(_differences(old, s))}); give the new version another id"
            )
        if old is None:
            new.append(s)
    return new


def _differences(old: StoredSource, new: StoredSource) -> list[str]:
    """The fields in which two versions of a source differ."""
    names = [k for k in Source.model_fields if getattr(old.source, k) != getattr(new.source, k)]
    return names + (["text"] if old.sha256 != new.sha256 else [])


# The events that apply to a term in force: the log refuses them of any other term.
InForceChange = TermAmended | TermAffirmed


def check_term_changes(log: Sequence[Recorded], events: Sequence[Event]) -> None:
    """Raise InvalidEventError unless each amendment or affirmation among `events` names a
    term in force on its date, given the log and the events before it."""
    if not any(isinstance(e, InForceChange) for e in events):
        return
    records = list(log)
    position = max((r.position for r in records), default=0)
    for event in events:
        if isinstance(event, InForceChange):
            on = event.effective.last
            if event.term not in fold(resolve(known(records, None)).facts, on).terms:
                raise InvalidEventError(_not_in_force(event, records))
        position += 1
        records.append(Recorded(event, position, 0, dt.datetime.max))


def check_ends(log: Sequence[Recorded], events: Sequence[Event]) -> None:
    """Raise InvalidEventError when a term.ended among `events` would leave an amendment or
    affirmation already in the log applying to a term no longer in force (an end dated
    before it): the log would break the rule `check_term_changes` keeps for new events."""
    ended = {e.term: e for e in events if isinstance(e, TermEnded)}
    if not ended:
        return
    position = max((r.position for r in log), default=0)
    added = [Recorded(e, position + n, 0, dt.datetime.max) for n, e in enumerate(events, 1)]
    records = [*log, *added]
    for r in log:
        change = r.event
        if isinstance(change, InForceChange) and change.term in ended:
            others = [o for o in records if o is not r]
            if (
                change.term
                not in fold(resolve(known(others, None)).facts, change.effective.last).terms
            ):
                end = ended[change.term]
                raise InvalidEventError(
                    f"event {end.id!r}: ending term {change.term!r} on {end.effective} leaves "
                    f"{change.type} {change.id!r} of {change.effective} applying to a term not "
                    "in force; end it after that, or retract that event first"
                )


def _not_in_force(event: InForceChange, records: Sequence[Recorded]) -> str:
    """Why a change of a term not in force is refused: a term never set is most often a
    typo, told as term.ended tells it (with the terms there are)."""
    terms = set_terms([r.event for r in records])
    if event.term not in terms:
        return never_set(event.id, event.term, event.agreement, terms)
    return (
        f"event {event.id!r}: term {event.term!r} is not in force on {event.effective}; "
        f"{event.type} applies to a term in force (term.set puts one in force)"
    )
