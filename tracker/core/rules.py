"""The rules an event must follow to join an agreement's log (pure: the caller looks up what
the event refers to)."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from tracker.core.events import AgreementCreated, Event, EventCorrected, ProposalResolved, reference
from tracker.errors import InvalidEventError


class Known(NamedTuple):
    """What the log knows of an event another one refers to."""

    agreement: str
    type: str
    effective: dt.date


def check_fits(agreement: str, version: int, event: Event, known: dict[str, Known]) -> None:
    """Raise InvalidEventError unless the event fits the log at `version`: a log starts with
    agreement.created, and refers only to earlier events of its own agreement."""
    if version == 0 and not isinstance(event, AgreementCreated):
        raise InvalidEventError(
            f"event {event.id!r}: the first event of {agreement!r} must be agreement.created"
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
                f"event {event.id!r}: {ref!r} is a {target.type}, not a proposal"
            )
        if event.effective < target.effective:
            raise InvalidEventError(
                f"event {event.id!r}: resolved on {event.effective}, before proposal {ref!r} "
                f"was made ({target.effective})"
            )
    if isinstance(event, EventCorrected) and target.type == "event.retracted":
        raise InvalidEventError(
            f"event {event.id!r}: a retraction cannot be corrected; retract {ref!r} instead"
        )
