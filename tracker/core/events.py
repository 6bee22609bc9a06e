"""Event models: one frozen pydantic model per thing that can happen to an agreement."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeAlias, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    model_validator,
)

from tracker.core.dates import SUBSET, When
from tracker.core.text import safe_identifier

Certainty: TypeAlias = Literal["confirmed", "reported", "rumored"]
Stance: TypeAlias = Literal["supports", "contradicts"]
EndReason: TypeAlias = Literal["expired", "terminated", "waived", "superseded"]
Resolution: TypeAlias = Literal["adopted", "rejected", "withdrawn"]


# The validators that leave a valid stored value as it is: they only check it, or normalise it
# into the form it was stored in. A payload read back from the log was validated when it was
# written and the hash chain covers it, so the store validates it with this context, which
# those validators answer at once (pydantic's own way to tell validators about a
# validation); `tracker verify` validates without it, and so runs them all.
READ_BACK: dict[str, bool] = {"read_back": True}


def unchanged_on_read(validator: Callable[[Any], Any]) -> Callable[[Any, ValidationInfo], Any]:
    """Mark a validator (of a value, or a model's `after` validator) as one that a stored
    payload read back skips: with the READ_BACK context, it returns what it is given."""

    def checked(value: Any, info: ValidationInfo) -> Any:
        return value if info.context is READ_BACK else validator(value)

    checked.__name__, checked.__qualname__ = validator.__name__, validator.__qualname__
    checked.__doc__ = validator.__doc__
    return checked


@unchanged_on_read
def _printable_id(value: Any) -> Any:
    """An id with unprintable or non-ASCII characters, made safe to show (stored ids are)."""
    if not isinstance(value, str) or (value.isascii() and value.isprintable()):
        return value
    return safe_identifier(value)


Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
TermKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", max_length=100)]
EventId = Annotated[
    str,
    # The constraints first, so that pydantic checks them natively after the validator below
    # (listed after it, they would each cost a Python call on every event read).
    Field(min_length=1, max_length=200, pattern=r"^[^\s]+$"),
    BeforeValidator(_printable_id),
]
Text = Annotated[str, Field(min_length=1)]


MAX_DEPTH = 20
MAX_INT = 10**30


@unchanged_on_read
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


TermValue = Annotated[dict[str, JsonValue], AfterValidator(_limits)]
# Changes to some fields of a term's value: a field set to null is removed.
FieldChanges = Annotated[dict[str, JsonValue], Field(min_length=1), AfterValidator(_limits)]

Date = Annotated[
    When,
    PlainValidator(When.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|\.\./\d{4}-\d{2}-\d{2})$",
            "description": "EDTF: " + SUBSET,
        }
    ),
]


# Words for editors, shown by `tracker schema`; the ones several models share.
WHAT_HAPPENED = "What happened: the event type."
NOTE = "Context, in words."
TERM = "The term's key: lower-case words joined by dots, e.g. cloud.exclusivity."
SUMMARY = "The term in one line."
VALUE = "The term's fields, a mapping (numbers must be finite)."
TARGET = "The id of the earlier event of this agreement that this one retracts or corrects."


class Value(BaseModel):
    """Base of every value object: immutable, unknown fields rejected."""

    # Built on first use: a command builds the validators of only the types it meets.
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Citation(Value):
    """A source's words behind a fact, for or against it."""

    source: Slug = Field(description="The id of the source cited.")
    quote: Text | None = Field(
        None, description="Verbatim words of the source; needed when its text is stored."
    )
    stance: Stance = Field("supports", description="supports (the default) or contradicts.")
    relays: Slug | None = Field(
        None,
        description="The id of the source whose words this citation relays (a company's post "
        "quoted by the press): independence counts the relayed original, not the relay.",
    )


class Party(Value):
    """A party to an agreement and the role it plays."""

    name: Text = Field(description="The party's name.")
    role: Text = Field(description="The party's role in the agreement.")


class Source(Value):
    """Where citations come from; `file` names the stored text beside the agreement file."""

    id: Slug = Field(description="The source's id, by which citations name it.")
    title: Text = Field(description="The source's title.")
    publisher: Text | None = Field(None, description="Who published the source.")
    url: Text | None = Field(None, description="Where the source is found.")
    published: dt.date | None = Field(None, description="The date the source was published.")
    file: Text | None = Field(
        None,
        description="The source's text, a file beside the agreement file: quotes are checked "
        "in it.",
    )
    derived_from: Slug | None = Field(
        None, description="The source this one rewrites: it does not count as independent."
    )


class StoredSource(Value):
    """A source as the store keeps it: its metadata and, when there is one, its text."""

    source: Source
    text: str | None = None
    sha256: str | None = None


class BaseEvent(Value):
    """Fields every event carries; the store adds position, version and recorded_at."""

    id: EventId = Field(
        description="The event's id: unique, chosen by its author; importing it again is harmless."
    )
    agreement: Slug = Field(description="The agreement's id (may be left out: the file's).")
    effective: Date  # described by its type: the date forms it accepts
    announced: Date | None = Field(None, description="The date it became public (same forms).")
    certainty: Certainty = Field(
        "confirmed",
        description="confirmed (the parties said so), reported (credible press) or rumored.",
    )
    sources: tuple[Citation, ...] = Field(
        (),
        description="Citations: the sources that support or contradict the fact, with quotes.",
    )
    note: Text | None = Field(None, description=NOTE)


class AgreementCreated(BaseEvent):
    """An agreement begins, with its title and parties."""

    type: Literal["agreement.created"] = Field("agreement.created", description=WHAT_HAPPENED)
    title: Text = Field(description="The agreement's title.")
    parties: tuple[Party, ...] = Field(
        min_length=1, description="Who is bound by the agreement, and in what role."
    )


class TermSet(BaseEvent):
    """A term takes a new value: added, or replacing the one in force."""

    type: Literal["term.set"] = Field("term.set", description=WHAT_HAPPENED)
    term: TermKey = Field(description=TERM)
    summary: Text = Field(description=SUMMARY)
    value: TermValue = Field(default_factory=dict, description=VALUE)
    expires: Date | None = Field(None, description="The last day the term is in force by itself.")
    ends_when: Text | None = Field(
        None,
        description="A condition in words that ends the term when a term.ended records it.",
    )

    @model_validator(mode="after")
    @unchanged_on_read
    def _expires_after_effective(self) -> TermSet:
        if self.expires is not None and self.expires.last < self.effective.first:
            raise ValueError(f"expires {self.expires} is before effective {self.effective}")
        return self


class TermAmended(BaseEvent):
    """Some fields of a term in force change (null removes one); the others keep their own
    date, certainty and sources."""

    type: Literal["term.amended"] = Field("term.amended", description=WHAT_HAPPENED)
    term: TermKey = Field(description=TERM)
    changes: FieldChanges = Field(
        description="term.amended: the fields of the term's value that change; null removes one."
    )
    summary: Text | None = Field(
        None, description="The term's new one-line summary, if it changes."
    )


class TermAffirmed(BaseEvent):
    """A source says a term in force is unchanged: it adds support and moves nothing."""

    type: Literal["term.affirmed"] = Field("term.affirmed", description=WHAT_HAPPENED)
    term: TermKey = Field(description=TERM)


class TermEnded(BaseEvent):
    """A term stops being in force."""

    type: Literal["term.ended"] = Field("term.ended", description=WHAT_HAPPENED)
    term: TermKey = Field(description=TERM)
    reason: EndReason = Field(
        description="Why the term ended: expired, terminated, waived or superseded."
    )


class TermProposed(BaseEvent):
    """A change under consideration; it alters no term in force while it is pending."""

    type: Literal["term.proposed"] = Field("term.proposed", description=WHAT_HAPPENED)
    term: TermKey = Field(description=TERM)
    summary: Text = Field(description=SUMMARY)
    value: TermValue | None = Field(
        None, description="The value proposed for the term, a mapping of fields."
    )


class ProposalResolved(BaseEvent):
    """A pending proposal is adopted, rejected or withdrawn."""

    type: Literal["proposal.resolved"] = Field("proposal.resolved", description=WHAT_HAPPENED)
    proposal: EventId = Field(description="The id of the term.proposed event resolved.")
    resolution: Resolution = Field(description="adopted, rejected or withdrawn.")


class NoteRecorded(BaseEvent):
    """Context that changes no term."""

    type: Literal["note.recorded"] = Field("note.recorded", description=WHAT_HAPPENED)
    note: Text = Field(description=NOTE)


class RecordReviewed(BaseEvent):
    """The record was checked against its sources up to its `effective` day: reads about a
    later day say that the record does not reach it."""

    type: Literal["record.reviewed"] = Field("record.reviewed", description=WHAT_HAPPENED)

    @model_validator(mode="after")
    @unchanged_on_read
    def _one_day(self) -> RecordReviewed:
        if not self.effective.exact:
            raise ValueError(f"a review is of one day, not {self.effective}")
        return self


class EventRetracted(BaseEvent):
    """An earlier event was wrong: it stays in the log but no longer counts."""

    type: Literal["event.retracted"] = Field("event.retracted", description=WHAT_HAPPENED)
    target: EventId = Field(description=TARGET)
    reason: Text = Field(description="Why the retracted event no longer counts, in words.")

    @model_validator(mode="after")
    @unchanged_on_read
    def _not_itself(self) -> EventRetracted:
        if self.target == self.id:
            raise ValueError("an event cannot retract itself")
        return self


# The facts about an agreement, listed once: `Event` is these and the corrections.
_Facts: TypeAlias = (
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
Fact: TypeAlias = Annotated[_Facts, Field(discriminator="type")]


class EventCorrected(BaseEvent):
    """An earlier event is replaced by corrected content (its id and agreement are kept)."""

    type: Literal["event.corrected"] = Field("event.corrected", description=WHAT_HAPPENED)
    target: EventId = Field(description=TARGET)
    reason: Text = Field(description="Why the event is corrected, in words.")
    replacement: Fact = Field(
        description="The corrected event, whole, without id and agreement (the target's)."
    )

    @model_validator(mode="before")
    @classmethod
    def _inherit_identity(cls, data: Any) -> Any:
        """The replacement is written without id and agreement: it takes the target's."""
        if isinstance(data, dict) and isinstance(data.get("replacement"), dict):
            replacement = {**data["replacement"]}
            replacement.setdefault("id", data.get("target"))
            replacement.setdefault("agreement", data.get("agreement"))
            data = {**data, "replacement": replacement}
        return data

    @model_validator(mode="after")
    @unchanged_on_read
    def _consistent(self) -> EventCorrected:
        if self.target == self.id:
            raise ValueError("an event cannot correct itself")
        if self.replacement.id != self.target:
            raise ValueError("replacement.id must be the target's id")
        if self.replacement.agreement != self.agreement:
            raise ValueError("replacement.agreement must be the event's agreement")
        return self

    @field_serializer("replacement")
    def _drop_identity(self, replacement: Fact) -> dict[str, Any]:
        data = replacement.model_dump(mode="json", exclude_defaults=True)
        data.pop("id")
        data.pop("agreement")
        data["type"] = replacement.type
        return data


Event: TypeAlias = Annotated[_Facts | EventRetracted | EventCorrected, Field(discriminator="type")]
EVENT: TypeAdapter[Event] = TypeAdapter(Event, config=ConfigDict(defer_build=True))

# The one list of event types: every class in the `Event` union, in its order.
EVENT_CLASSES: tuple[type[BaseEvent], ...] = get_args(get_args(Event)[0])
EVENT_TYPES: tuple[str, ...] = tuple(cls.model_fields["type"].default for cls in EVENT_CLASSES)

# Corrections: events about the record rather than the agreement (a retraction or a
# correction of an earlier event); they apply whatever the valid date. "Amendment" is a change
# to the agreement's terms (term.amended), never one of these.
CORRECTIONS = (EventRetracted, EventCorrected)
CORRECTION_TYPES: tuple[str, ...] = tuple(cls.model_fields["type"].default for cls in CORRECTIONS)


@dataclass(frozen=True, slots=True)
class Batch:
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
    """The event as plain JSON data, defaults left out, `type` always kept."""
    data = event.model_dump(mode="json", exclude_defaults=True)
    data["type"] = event.type
    return data


def event_from_dict(data: dict[str, Any]) -> Event:
    """Validate plain data as an event of the type it names."""
    return EVENT.validate_python(data)
