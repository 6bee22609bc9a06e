"""Events to and from JSON without pydantic: msgspec encodes and decodes the event classes
directly, a date range (`When`) as the text it was written as. What reads use; what an event
may hold is checked at the edges (tracker.core.validation) before it is stored."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec.structs import asdict

from tracker.core.dates import When
from tracker.core.events import EVENT_CLASSES, Event, EventCorrected

DecodeError = msgspec.DecodeError  # a payload's text is not JSON, or not an event of its type


def when_text(value: object) -> object:
    """A value msgspec does not know, as JSON: a When is its text."""
    if isinstance(value, When):
        return value.text
    raise NotImplementedError(f"{type(value).__name__} is not JSON")


def when_of(kind: type, value: object) -> object:
    """A value of a type msgspec does not know, from JSON: a When from its text."""
    if kind is When and isinstance(value, str | When):
        return When.parse(value)  # its ValueError is the decode's error, at its path
    raise NotImplementedError(f"expected {kind.__name__}, got {type(value).__name__}")


_ENCODER = msgspec.json.Encoder(enc_hook=when_text)
_CLASSES = {cls.type: cls for cls in EVENT_CLASSES}
_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {}


def encode(event: Event) -> str:
    """An event's JSON as it is stored: `type` first, then its fields in their order, those
    left at their defaults left out, a correction's replacement without id and agreement."""
    if isinstance(event, EventCorrected):
        return _ENCODER.encode(event_data(event)).decode()
    return _ENCODER.encode(event).decode()


def event_data(event: Event) -> dict[str, Any]:
    """An event as plain JSON data, as `encode` writes it."""
    data: dict[str, Any] = msgspec.to_builtins(event, enc_hook=when_text)
    if isinstance(event, EventCorrected):
        replacement = data["replacement"]
        kind = replacement.pop("type")
        del replacement["id"], replacement["agreement"]
        replacement["type"] = kind  # last, as the first stored corrections wrote it
    return data


def decoder(event_type: str) -> msgspec.json.Decoder[Any] | None:
    """The decoder of a stored event of one type (None for no such type): built the first
    time that type is read."""
    found = _DECODERS.get(event_type)
    if found is None:
        cls = _CLASSES.get(event_type)
        if cls is None or cls is EventCorrected:
            return None
        found = _DECODERS[event_type] = msgspec.json.Decoder(cls, dec_hook=when_of)
    return found


def event_class(event_type: str) -> type[Event]:
    """The class of an event type (KeyError for none)."""
    return _CLASSES[event_type]  # type: ignore[return-value]


def decode(payload: str | bytes, event_type: str) -> Event:
    """The event a stored payload of the current schema holds; DecodeError (msgspec's
    ValidationError is one) when it is not JSON, or not an event of that type."""
    found = decoder(event_type)
    if found is not None:
        return found.decode(payload)  # type: ignore[no-any-return]
    if event_type != EventCorrected.type:
        raise msgspec.ValidationError(f"unknown event type {event_type!r}")
    return from_data(msgspec.json.decode(payload), event_type)


def from_data(data: Any, event_type: str) -> Event:
    """An event of a type from plain JSON data as `event_data` writes it (types and
    constraints checked, not the edges' rules); DecodeError when it is not one."""
    cls = _CLASSES.get(event_type)
    if cls is None:
        raise msgspec.ValidationError(f"unknown event type {event_type!r}")
    found: Any = msgspec.convert(cls.prepared(data), cls, dec_hook=when_of)
    return found  # type: ignore[no-any-return]


def fields_of(value: msgspec.Struct) -> dict[str, Any]:
    """Every field of a flat value (a Party, a Source, a Citation) as JSON data, those at
    their defaults too."""
    data: dict[str, Any] = msgspec.to_builtins(asdict(value), enc_hook=when_text)
    return data
