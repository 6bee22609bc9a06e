"""Event models: one frozen pydantic model per thing that can happen to an agreement."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
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

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)]
TermKey = Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)*$", max_length=100)]
EventId = Annotated[
    str,
    # Printable ASCII, the ids of nearly every stored event, passes without a Python call.
    BeforeValidator(
        lambda v: (
            v if not isinstance(v, str) or (v.isascii() and v.isprintable()) else safe_identifier(v)
        )
    ),
    Field(min_length=1, max_length=200, pattern=r"^[^\s]+$"),
]
Text = Annotated[str, Field(min_length=1)]


MAX_DEPTH = 20
MAX_INT = 10**30


# The validation context of a stored payload read back: it was checked when it was written
# and the hash chain covers it, so the checks below, which walk the whole value, are skipped
# (`tracker verify` still runs them).
READ_BACK: dict[str, bool] = {"read_back": True}


def _limits(value: Any, info: ValidationInfo) -> Any:
    """A value's limits (see _finite), unless it is a stored payload read back."""
    return value if info.context is READ_BACK else _finite(value)


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
FieldChanges = Annotated[dict[str, JsonValue], AfterValidator(_limits), Field(min_length=1)]

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


class Value(BaseModel):
    """Base of every value object: immutable, unknown fields rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Citation(Value):
    """A source's words behind a fact, for or against it."""

    source: Slug
    quote: Text | None = None
    stance: Stance = "supports"


class Party(Value):
    """A party to an agreement and the role it plays."""

    name: Text
    role: Text


class Source(Value):
    """Where citations come from; `file` names the stored text beside the agreement file."""

    id: Slug
    title: Text
    publisher: Text | None = None
    url: Text | None = None
    published: dt.date | None = None
    file: Text | None = None
    derived_from: Slug | None = None


class StoredSource(Value):
    """A source as the store keeps it: its metadata and, when there is one, its text."""

    source: Source
    text: str | None = None
    sha256: str | None = None


class BaseEvent(Value):
    """Fields every event carries; the store adds position, version and recorded_at."""

    id: EventId
    agreement: Slug
    effective: Date
    announced: Date | None = None
    certainty: Certainty = "confirmed"
    sources: tuple[Citation, ...] = ()
    note: Text | None = None


class AgreementCreated(BaseEvent):
    """An agreement begins, with its title and parties."""

    type: Literal["agreement.created"] = "agreement.created"
    title: Text
    parties: tuple[Party, ...] = Field(min_length=1)


class TermSet(BaseEvent):
    """A term takes a new value: added, or replacing the one in force."""

    type: Literal["term.set"] = "term.set"
    term: TermKey
    summary: Text
    value: TermValue = Field(default_factory=dict)
    expires: Date | None = None
    ends_when: Text | None = None

    @model_validator(mode="after")
    def _expires_after_effective(self) -> TermSet:
        if self.expires is not None and self.expires.last < self.effective.first:
            raise ValueError(f"expires {self.expires} is before effective {self.effective}")
        return self


class TermAmended(BaseEvent):
    """Some fields of a term in force change (null removes one); the others keep their own
    date, certainty and sources."""

    type: Literal["term.amended"] = "term.amended"
    term: TermKey
    changes: FieldChanges
    summary: Text | None = None


class TermAffirmed(BaseEvent):
    """A source says a term in force is unchanged: it adds support and moves nothing."""

    type: Literal["term.affirmed"] = "term.affirmed"
    term: TermKey


class TermEnded(BaseEvent):
    """A term stops being in force."""

    type: Literal["term.ended"] = "term.ended"
    term: TermKey
    reason: EndReason


class TermProposed(BaseEvent):
    """A change under consideration; it alters no term in force while it is pending."""

    type: Literal["term.proposed"] = "term.proposed"
    term: TermKey
    summary: Text
    value: TermValue | None = None


class ProposalResolved(BaseEvent):
    """A pending proposal is adopted, rejected or withdrawn."""

    type: Literal["proposal.resolved"] = "proposal.resolved"
    proposal: EventId
    resolution: Resolution


class NoteRecorded(BaseEvent):
    """Context that changes no term."""

    type: Literal["note.recorded"] = "note.recorded"
    note: Text


class EventRetracted(BaseEvent):
    """An earlier event was wrong: it stays in the log but no longer counts."""

    type: Literal["event.retracted"] = "event.retracted"
    target: EventId
    reason: Text

    @model_validator(mode="after")
    def _not_itself(self) -> EventRetracted:
        if self.target == self.id:
            raise ValueError("an event cannot retract itself")
        return self


Fact: TypeAlias = Annotated[
    AgreementCreated
    | TermSet
    | TermAmended
    | TermAffirmed
    | TermEnded
    | TermProposed
    | ProposalResolved
    | NoteRecorded,
    Field(discriminator="type"),
]


class EventCorrected(BaseEvent):
    """An earlier event is replaced by corrected content (its id and agreement are kept)."""

    type: Literal["event.corrected"] = "event.corrected"
    target: EventId
    reason: Text
    replacement: Fact

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


Event: TypeAlias = Annotated[
    AgreementCreated
    | TermSet
    | TermAmended
    | TermAffirmed
    | TermEnded
    | TermProposed
    | ProposalResolved
    | NoteRecorded
    | EventRetracted
    | EventCorrected,
    Field(discriminator="type"),
]
EVENT: TypeAdapter[Event] = TypeAdapter(Event)

# The one list of event types: every class in the `Event` union, in its order.
EVENT_CLASSES: tuple[type[BaseEvent], ...] = get_args(get_args(Event)[0])
EVENT_TYPES: tuple[str, ...] = tuple(cls.model_fields["type"].default for cls in EVENT_CLASSES)

# Events about the record rather than the agreement: they apply whatever the valid date.
AMENDMENTS = (EventRetracted, EventCorrected)
AMENDMENT_TYPES: tuple[str, ...] = tuple(cls.model_fields["type"].default for cls in AMENDMENTS)


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
    if isinstance(event, AMENDMENTS):
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
