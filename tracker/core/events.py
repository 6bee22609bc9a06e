"""The events: one frozen, typed value per thing that can happen to an agreement.

These classes are the one definition of what an event holds. They are plain data
(`msgspec.Struct`): reads decode stored rows straight into them, without pydantic. Pydantic
validates them at every edge where data comes in (agreement files, `record`, the Python API's
writes, `verify`, the JSON Schema), through models generated from these classes
(`tracker.core.validation`): the constraints, descriptions and checks written here are what
those models enforce. A read enforces the types and the constraints of `Meta`; the `Before` and
`After` functions and each class's `check` run at the edges alone (a stored event was checked
when it was written, and the hash chain covers it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, get_args

from msgspec import Meta, Struct

from tracker.core.dates import When
from tracker.core.text import safe_identifier

Certainty: TypeAlias = Literal["confirmed", "reported", "rumored"]
Stance: TypeAlias = Literal["supports", "contradicts"]
EndReason: TypeAlias = Literal["expired", "terminated", "waived", "superseded"]
Resolution: TypeAlias = Literal["adopted", "rejected", "withdrawn"]


class Before(Struct, frozen=True):
    """At the edges, a function the raw value goes through before it is validated."""

    function: Callable[[Any], Any]


class After(Struct, frozen=True):
    """At the edges, a function the validated value goes through (it raises ValueError)."""

    function: Callable[[Any], Any]


def _printable_id(value: Any) -> Any:
    """An id with unprintable or non-ASCII characters, made safe to show (stored ids are)."""
    if not isinstance(value, str) or (value.isascii() and value.isprintable()):
        return value
    return safe_identifier(value)


Slug = Annotated[str, Meta(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
TermKey = Annotated[str, Meta(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", max_length=100)]
EventId = Annotated[
    str, Meta(min_length=1, max_length=200, pattern=r"^[^\s]+$"), Before(_printable_id)
]
Text = Annotated[str, Meta(min_length=1)]


MAX_DEPTH = 20
MAX_INT = 10**30


def _limits(value: Any) -> Any:
    """A value within the limits of _finite."""
    return _finite(value)


def _finite(value: Any, depth: int = 0) -> Any:
    """Reject NaN, infinities, huge integers and deep nesting anywhere in a value: JSON cannot
    carry the first, and the others only exhaust whoever reads the value."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite (no NaN or infinity)")
    if isinstance(value, int) and abs(value) >= MAX_INT:
        raise ValueError("numbers must have at most 30 digits")
    if depth > MAX_DEPTH:
        raise ValueError(f"values may nest at most {MAX_DEPTH} deep")
    if isinstance(value, dict):
        for item in value.values():
            _finite(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _finite(item, depth + 1)
    return value


# A term's value: JSON values by name (`Any` is a JSON value here, and at the edges).
TermValue = Annotated[dict[str, Any], After(_limits)]
# Changes to some fields of a term's value: a field set to null is removed.
FieldChanges = Annotated[dict[str, Any], Meta(min_length=1), After(_limits)]


# Words for editors, shown by `tracker schema`; the ones several models share.
WHAT_HAPPENED = "What happened: the event type."
NOTE = "Context, in words."
TERM = "The term's key: lower-case words joined by dots, e.g. cloud.exclusivity."
SUMMARY = "The term in one line."
VALUE = "The term's fields, a mapping (numbers must be finite)."
TARGET = "The id of the earlier event of this agreement that this one retracts or corrects."


def described(text: str) -> Meta:
    """A field's words for editors (`tracker schema` shows them)."""
    return Meta(description=text)


class Value(Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    """Base of every value object: immutable, unknown fields rejected, fields left at their
    defaults left out of its JSON."""

    def check(self) -> None:
        """Rules across fields, checked at the edges (ValueError names what is wrong); the
        value's own fields are validated already."""

    @staticmethod
    def prepared(data: Any) -> Any:
        """Data arriving at an edge as it is validated (a correction's replacement takes the
        target's id and agreement)."""
        return data


# Text only, so in no cycle: left out of the garbage collector's way (`gc=False`), which also
# lets it leave alone the tuples of citations that facts and term states hold, by the thousand
# in a read.
class Citation(Value, frozen=True, kw_only=True, gc=False):
    """A source's words behind a fact, for or against it."""

    source: Annotated[Slug, described("The id of the source cited.")]
    quote: Annotated[
        Text | None, described("Verbatim words of the source; needed when its text is stored.")
    ] = None
    stance: Annotated[Stance, described("supports (the default) or contradicts.")] = "supports"
    relays: Annotated[
        Slug | None,
        described(
            "The id of the source whose words this citation relays (a company's post quoted "
            "by the press): independence counts the relayed original, not the relay."
        ),
    ] = None


class Party(Value, frozen=True, kw_only=True):
    """A party to an agreement and the role it plays."""

    name: Annotated[Text, described("The party's name.")]
    role: Annotated[Text, described("The party's role in the agreement.")]


class Source(Value, frozen=True, kw_only=True):
    """Where citations come from; `file` names the stored text beside the agreement file."""

    id: Annotated[Slug, described("The source's id, by which citations name it.")]
    title: Annotated[Text, described("The source's title.")]
    publisher: Annotated[Text | None, described("Who published the source.")] = None
    url: Annotated[Text | None, described("Where the source is found.")] = None
    published: Annotated[dt.date | None, described("The date the source was published.")] = None
    file: Annotated[
        Text | None,
        described("The source's text, a file beside the agreement file: quotes are checked in it."),
    ] = None
    derived_from: Annotated[
        Slug | None, described("The source this one rewrites: it does not count as independent.")
    ] = None


class StoredSource(Value, frozen=True, kw_only=True):
    """A source as the store keeps it: its metadata and, when there is one, its text."""

    source: Source
    text: str | None = None
    sha256: str | None = None


# Events are left out of the garbage collector's way (`gc=False`): a read decodes them by the
# thousand, and the collector's full passes scanned every one for cycles that an event is not
# in. It holds JSON data (the edges refuse a value nested deeper than MAX_DEPTH, so none that
# holds itself is stored) and, a correction, its replacement; nothing it holds refers to it.
class BaseEvent(Value, tag_field="type", frozen=True, kw_only=True, gc=False):
    """Fields every event carries; the store adds position, version and recorded_at. Its
    `type` (what happened) is each class's tag: the first key of its JSON."""

    # The event's type, as `type` reads it: set on each class from its tag.
    type: ClassVar[str]

    id: Annotated[
        EventId,
        described(
            "The event's id: unique within its agreement, chosen by its author; importing it"
            " again is harmless."
        ),
    ]
    agreement: Annotated[Slug, described("The agreement's id (may be left out: the file's).")]
    effective: When  # described by its type: the date forms it accepts
    announced: Annotated[When | None, described("The date it became public (same forms).")] = None
    certainty: Annotated[
        Certainty,
        described("confirmed (the parties said so), reported (credible press) or rumored."),
    ] = "confirmed"
    sources: Annotated[
        tuple[Citation, ...],
        described("Citations: the sources that support or contradict the fact, with quotes."),
    ] = ()
    note: Annotated[Text | None, described(NOTE)] = None


class AgreementCreated(BaseEvent, tag="agreement.created", frozen=True, kw_only=True):
    """An agreement begins, with its title and parties."""

    title: Annotated[Text, described("The agreement's title.")]
    parties: Annotated[
        tuple[Party, ...],
        Meta(min_length=1),
        described("Who is bound by the agreement, and in what role."),
    ]


class TermSet(BaseEvent, tag="term.set", frozen=True, kw_only=True):
    """A term takes a new value: added, or replacing the one in force."""

    term: Annotated[TermKey, described(TERM)]
    summary: Annotated[Text, described(SUMMARY)]
    value: Annotated[TermValue, described(VALUE)] = {}
    expires: Annotated[When | None, described("The last day the term is in force by itself.")] = (
        None
    )
    ends_when: Annotated[
        Text | None,
        described("A condition in words that ends the term when a term.ended records it."),
    ] = None

    def check(self) -> None:
        if self.expires is not None and self.expires.last < self.effective.first:
            raise ValueError(f"expires {self.expires} is before effective {self.effective}")


class TermAmended(BaseEvent, tag="term.amended", frozen=True, kw_only=True):
    """Some fields of a term in force change (null removes one); the others keep their own
    date, certainty and sources."""

    term: Annotated[TermKey, described(TERM)]
    changes: Annotated[
        FieldChanges,
        described("term.amended: the fields of the term's value that change; null removes one."),
    ]
    summary: Annotated[
        Text | None, described("The term's new one-line summary, if it changes.")
    ] = None


class TermAffirmed(BaseEvent, tag="term.affirmed", frozen=True, kw_only=True):
    """A source says a term in force is unchanged: it adds support and moves nothing."""

    term: Annotated[TermKey, described(TERM)]


class TermEnded(BaseEvent, tag="term.ended", frozen=True, kw_only=True):
    """A term stops being in force."""

    term: Annotated[TermKey, described(TERM)]
    reason: Annotated[
        EndReason, described("Why the term ended: expired, terminated, waived or superseded.")
    ]


class TermProposed(BaseEvent, tag="term.proposed", frozen=True, kw_only=True):
    """A change under consideration; it alters no term in force while it is pending."""

    term: Annotated[TermKey, described(TERM)]
    summary: Annotated[Text, described(SUMMARY)]
    value: Annotated[
        TermValue | None, described("The value proposed for the term, a mapping of fields.")
    ] = None


class ProposalResolved(BaseEvent, tag="proposal.resolved", frozen=True, kw_only=True):
    """A pending proposal is adopted, rejected or withdrawn."""

    proposal: Annotated[EventId, described("The id of the term.proposed event resolved.")]
    resolution: Annotated[Resolution, described("adopted, rejected or withdrawn.")]


class NoteRecorded(BaseEvent, tag="note.recorded", frozen=True, kw_only=True):
    """Context that changes no term."""

    note: Annotated[Text, described(NOTE)]


class RecordReviewed(BaseEvent, tag="record.reviewed", frozen=True, kw_only=True):
    """The record was checked against its sources up to its `effective` day: reads about a
    later day say that the record does not reach it."""

    def check(self) -> None:
        if not self.effective.exact:
            raise ValueError(f"a review is of one day, not {self.effective}")


class EventRetracted(BaseEvent, tag="event.retracted", frozen=True, kw_only=True):
    """An earlier event was wrong: it stays in the log but no longer counts."""

    target: Annotated[EventId, described(TARGET)]
    reason: Annotated[Text, described("Why the retracted event no longer counts, in words.")]

    def check(self) -> None:
        if self.target == self.id:
            raise ValueError("an event cannot retract itself")


# The facts about an agreement, listed once: `Event` is these and the corrections.
Fact: TypeAlias = (
    AgreementCreated
    | TermSet
    | TermAmended
    | TermAffirmed
    | TermEnded
    | TermProposed
    | ProposalResolved
    | NoteRecorded
    | RecordReviewed
)


class EventCorrected(BaseEvent, tag="event.corrected", frozen=True, kw_only=True):
    """An earlier event is replaced by corrected content (its id and agreement are kept)."""

    target: Annotated[EventId, described(TARGET)]
    reason: Annotated[Text, described("Why the event is corrected, in words.")]
    # Written without id and agreement (see `identity_of`): the replacement takes the target's.
    replacement: Annotated[
        Fact,
        described("The corrected event, whole, without id and agreement (the target's)."),
    ]

    @staticmethod
    def prepared(data: Any) -> Any:
        """The replacement is written without id and agreement: it takes the target's."""
        if isinstance(data, dict) and isinstance(data.get("replacement"), dict):
            replacement = {**data["replacement"]}
            replacement.setdefault("id", data.get("target"))
            replacement.setdefault("agreement", data.get("agreement"))
            data = {**data, "replacement": replacement}
        return data

    def check(self) -> None:
        if self.target == self.id:
            raise ValueError("an event cannot correct itself")
        if self.replacement.id != self.target:
            raise ValueError("replacement.id must be the target's id")
        if self.replacement.agreement != self.agreement:
            raise ValueError("replacement.agreement must be the event's agreement")


Event: TypeAlias = Fact | EventRetracted | EventCorrected

# The one list of event types: every class in the `Event` union, in its order.
EVENT_CLASSES: tuple[type[BaseEvent], ...] = get_args(Event)
for _cls in EVENT_CLASSES:
    _cls.type = str(_cls.__struct_config__.tag)
EVENT_TYPES: tuple[str, ...] = tuple(cls.type for cls in EVENT_CLASSES)

# Corrections: events about the record rather than the agreement (a retraction or a
# correction of an earlier event); they apply whatever the valid date. "Amendment" is a change
# to the agreement's terms (term.amended), never one of these.
CORRECTIONS = (EventRetracted, EventCorrected)
CORRECTION_TYPES: tuple[str, ...] = tuple(cls.type for cls in CORRECTIONS)


class Batch(Struct, frozen=True):
    """Events (and the sources they cite) to append to one agreement together."""

    agreement: str
    events: Sequence[Event]
    sources: Sequence[StoredSource] = ()


def term_of(event: Event) -> str | None:
    """The term an event is about, if any (a correction is about its replacement's term)."""
    if isinstance(event, EventCorrected):
        return term_of(event.replacement)
    return getattr(event, "term", None)


def reference(event: Event) -> str | None:
    """The id of the earlier event this one refers to, if any."""
    if isinstance(event, CORRECTIONS):
        return event.target
    if isinstance(event, ProposalResolved):
        return event.proposal
    return None


def event_to_dict(event: Event) -> dict[str, Any]:
    """The event as plain JSON data, as it is stored: `type` first, defaults left out, a
    correction's replacement without id and agreement."""
    from tracker.core import plain

    return plain.event_data(event)


def event_from_dict(data: dict[str, Any]) -> Event:
    """Validate plain data as an event of the type it names (pydantic, at the edge)."""
    from tracker.core import validation

    return validation.event(data)
