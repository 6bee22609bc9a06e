"""How events are written down: their JSON payload, the hash chain, upcasting old schemas."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from tracker.core.events import EVENT, EVENT_CLASSES, EVENT_TYPES, Event

GENESIS = "0" * 64
SCHEMA_VERSION = 2

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 cited sources by bare id and named term.set's expiry `until`."""
    data = dict(data)
    data["sources"] = [{"source": c} if isinstance(c, str) else c for c in data.get("sources", [])]
    if data.get("type") == "term.set" and "until" in data:
        data["expires"] = data.pop("until")
    if isinstance(data.get("replacement"), dict):
        data["replacement"] = _v1_to_v2(data["replacement"])
    return data


# (event type, stored schema version) -> function lifting its payload one version up.
UPCASTERS: dict[tuple[str, int], Upcaster] = {
    (event_type, 1): _v1_to_v2 for event_type in EVENT_TYPES
}


def encode(event: Event) -> str:
    """The payload stored for an event: its JSON, fields in model order, nulls left out."""
    return event.model_dump_json(exclude_none=True)


# Each type's compiled validator: the stored type column picks it, which spares the union's
# dispatch and TypeAdapter's Python layer on every event read.
_VALIDATORS = {
    cls.model_fields["type"].default: cls.__pydantic_validator__ for cls in EVENT_CLASSES
}


def decode(payload: str, event_type: str, schema_version: int) -> Event:
    """The event a stored payload holds, lifted to the current schema first."""
    if schema_version == SCHEMA_VERSION:
        return _VALIDATORS[event_type].validate_json(payload)  # type: ignore[no-any-return]
    data = json.loads(payload)
    version = schema_version
    while version < SCHEMA_VERSION:
        data = UPCASTERS[(event_type, version)](data)
        version += 1
    return EVENT.validate_python(data)


def chain_hash(
    prev_hash: str, agreement: str, version: int, recorded_at: dt.datetime | str, payload: str
) -> str:
    """The hash of one event, linked to the hash of the event before it in its agreement
    (`recorded_at` may come already in ISO format, as a batch shares one)."""
    moment = recorded_at if isinstance(recorded_at, str) else recorded_at.isoformat()
    text = f"{prev_hash}\n{agreement}\n{version}\n{moment}\n{payload}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
