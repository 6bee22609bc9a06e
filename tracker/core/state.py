"""Frozen values the projector produces: an agreement's terms on one date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import msgspec

from tracker.core.dates import When
from tracker.core.events import Certainty, Citation, EndReason, Event, Party, Resolution

# The values made in great numbers, one or more per event or agreement a read goes through,
# are left out of the garbage collector's way (`gc=False`): the collector would otherwise
# scan each of them again and again while a read builds thousands, for cycles they cannot be
# in (frozen values, made after what they hold, never referred to by it).


class Recorded(msgspec.Struct, frozen=True, gc=False):
    """An event as the store holds it: with its place in the log and when it was recorded."""

    event: Event
    position: int
    version: int
    recorded_at: dt.datetime


class FieldState(msgspec.Struct, frozen=True, gc=False):
    """One field of a term's value: since when it holds, how sure, and on whose word."""

    value: Any
    since: When
    certainty: Certainty
    events: tuple[str, ...]
    sources: tuple[str, ...]


class SetFields(Mapping[str, FieldState]):
    """The fields of a term as its term.set put them: every one since the set's date, as sure
    and on the same word. Each FieldState is built when it is asked for: a term has several,
    and a question across many agreements reads few of them. Equal to the plain mapping of
    the same FieldStates."""

    __slots__ = ("_certainty", "_events", "_since", "_sources", "_values")

    def __init__(
        self,
        values: Mapping[str, Any],
        since: When,
        certainty: Certainty,
        events: tuple[str, ...],
        sources: tuple[str, ...],
    ) -> None:
        self._values, self._since, self._certainty = values, since, certainty
        self._events, self._sources = events, sources

    def __getitem__(self, name: str) -> FieldState:
        value = self._values[name]
        return FieldState(value, self._since, self._certainty, self._events, self._sources)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return repr(dict(self))


def provenance(f: FieldState | None) -> str | None:
    """A field's date, certainty and sources in a few words (None for no field)."""
    if f is None:
        return None
    return f"since {f.since}, {f.certainty}, from {', '.join(f.sources) or 'no source'}"


class TermState(msgspec.Struct, frozen=True, gc=False):
    """A term in force; its certainty is the weakest of its fields'."""

    summary: str
    value: Mapping[str, Any]
    since: When
    expires: When | None
    ends_when: str | None
    certainty: Certainty
    events: tuple[str, ...]
    sources: tuple[str, ...]
    citations: tuple[Citation, ...] = ()
    fields: Mapping[str, FieldState] = msgspec.field(default_factory=dict)
    affirmed_by: tuple[str, ...] = ()


STRENGTH: dict[str, int] = {"confirmed": 2, "reported": 1, "rumored": 0}  # surer is more


def certainty_text(term: TermState) -> str:
    """A term's certainty as people read it: one word when its fields agree; else the
    surest, with each less sure field named (`confirmed (if_declined: reported)`)."""
    ranked = {name: f.certainty for name, f in term.fields.items()}
    if len(set(ranked.values())) <= 1:
        return term.certainty
    surest = max(ranked.values(), key=STRENGTH.__getitem__)
    weaker = ", ".join(f"{name}: {c}" for name, c in ranked.items() if c != surest)
    return f"{surest} ({weaker})"


class EndedTerm(msgspec.Struct, frozen=True):
    """A term no longer in force, why, and how sure that is."""

    summary: str
    ended: When
    reason: EndReason
    events: tuple[str, ...]
    certainty: Certainty = "confirmed"


PossibleChange = Literal["set", "amended", "ended", "expired"]


class Possible(msgspec.Struct, frozen=True):
    """A change whose imprecise date may or may not have come by the state's date: not
    applied, and shown with what the term would be if it had (None: no longer in force)."""

    event: str
    date: When
    change: PossibleChange
    certainty: Certainty
    term: TermState | None


class Proposal(msgspec.Struct, frozen=True):
    """A change under consideration, pending or resolved."""

    event: str
    term: str
    summary: str
    certainty: Certainty
    since: When
    resolution: Resolution | None = None
    resolved_by: str | None = None


class Coverage(msgspec.Struct, frozen=True, gc=False):
    """The record's reach: `through` is the day of its latest review that counts (`reviewed`)
    or, with none, the date of its latest fact (None for an empty record); `event` is the
    event that says so."""

    through: When | None
    reviewed: bool
    event: str | None

    def beyond(self, day: dt.date) -> bool:
        """True when `day` is after every day the record reaches."""
        return self.through is not None and day > self.through.last

    @property
    def message(self) -> str | None:
        """What a reader asking about a day beyond the record's reach is told."""
        if self.through is None:
            return None
        if self.reviewed:
            return f"the record covers changes up to {self.through}; later ones are not recorded"
        return f"the record states no coverage; nothing is recorded after {self.through}"

    def warning(self, day: dt.date) -> str | None:
        """`message`, when `day` is beyond the record's reach."""
        return self.message if self.beyond(day) else None


class AgreementState(msgspec.Struct, frozen=True):
    """An agreement's terms as of a date, as known at a moment."""

    agreement: str
    as_of: dt.date
    known_at: dt.datetime | None
    title: str | None = None
    parties: tuple[Party, ...] = ()
    terms: Mapping[str, TermState] = msgspec.field(default_factory=dict)
    pending: Mapping[str, Proposal] = msgspec.field(default_factory=dict)
    resolved: Mapping[str, Proposal] = msgspec.field(default_factory=dict)
    ended: Mapping[str, EndedTerm] = msgspec.field(default_factory=dict)
    possible: Mapping[str, Possible] = msgspec.field(default_factory=dict)
    retracted: Mapping[str, str] = msgspec.field(default_factory=dict)  # event id -> retraction id
    coverage: Coverage | None = None  # how far the record reaches (None: not asked)
