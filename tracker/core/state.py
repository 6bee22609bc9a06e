"""Frozen values the projector produces: an agreement's terms on one date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from tracker.core.events import Certainty, Citation, EndReason, Event, Party, Resolution


@dataclass(frozen=True, slots=True)
class Recorded:
    """An event as the store holds it: with its place in the log and when it was recorded."""

    event: Event
    position: int
    version: int
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class TermState:
    """A term in force."""

    summary: str
    value: Mapping[str, Any]
    since: dt.date
    expires: dt.date | None
    ends_when: str | None
    certainty: Certainty
    events: tuple[str, ...]
    sources: tuple[str, ...]
    citations: tuple[Citation, ...] = ()


@dataclass(frozen=True, slots=True)
class EndedTerm:
    """A term no longer in force, and why."""

    summary: str
    ended: dt.date
    reason: EndReason
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Proposal:
    """A change under consideration, pending or resolved."""

    event: str
    term: str
    summary: str
    certainty: Certainty
    since: dt.date
    resolution: Resolution | None = None
    resolved_by: str | None = None


@dataclass(frozen=True, slots=True)
class AgreementState:
    """An agreement's terms as of a date, as known at a moment."""

    agreement: str
    as_of: dt.date
    known_at: dt.datetime | None
    title: str | None = None
    parties: tuple[Party, ...] = ()
    terms: Mapping[str, TermState] = field(default_factory=dict)
    pending: Mapping[str, Proposal] = field(default_factory=dict)
    resolved: Mapping[str, Proposal] = field(default_factory=dict)
    ended: Mapping[str, EndedTerm] = field(default_factory=dict)
    retracted: Mapping[str, str] = field(default_factory=dict)  # event id -> retraction id
