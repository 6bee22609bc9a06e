"""How events are written down: their JSON payload, the hash chain, upcasting old schemas."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import SchemaValidator

from tracker.core.dates import When
from tracker.core.events import (
    CORRECTION_TYPES,
    CORRECTIONS,
    EVENT,
    EVENT_CLASSES,
    EVENT_TYPES,
    READ_BACK,
    BaseEvent,
    Event,
    Fact,
)
from tracker.core.state import Recorded
from tracker.core.wording import describe
from tracker.errors import IntegrityError
from tracker.store.driver import written_moment

GENESIS = "0" * 64
SCHEMA_VERSION = 2
# How an event's hash is computed: 1 covered the payload and recorded_at; 2 also covers the
# columns replay reads (position, type, schema version, target). Old rows keep their format.
HASH_VERSION = 2

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
    """The payload stored for an event: its JSON, its type first, then its other fields in
    model order, those left at their defaults left out (decoding fills them in again)."""
    # The model's own serializer, without model_dump_json's layer of options (a batch encodes
    # every event it writes). `type` has a default too, but a payload names it: a reader of
    # the bare JSON (migration 0004, an upcaster) knows the event's type from it.
    body = event.__pydantic_serializer__.to_json(event, exclude_defaults=True).decode()
    return f'{{"type":"{event.type}",{body[1:]}'


_CLASSES = {cls.model_fields["type"].default: cls for cls in EVENT_CLASSES}


def _built(cls: type[BaseEvent]) -> type[BaseEvent]:
    """An event model with its schema, validator and serializer built: they wait for their
    first use, so that a command builds those of only the types it meets."""
    if not cls.__pydantic_complete__:
        cls.model_rebuild()
    return cls


class _PerType:
    """A validator for each event type, built the first time its type is asked for."""

    __slots__ = ("_build", "_validators")

    def __init__(self, build: Callable[[type[BaseEvent]], SchemaValidator]) -> None:
        self._build = build
        self._validators: dict[str, SchemaValidator] = {}

    def get(self, event_type: str) -> SchemaValidator | None:
        """The type's validator, or None when no event has that type."""
        try:
            return self._validators[event_type]
        except KeyError:
            cls = _CLASSES.get(event_type)
            if cls is None:
                return None
            validator = self._validators[event_type] = self._build(cls)
            return validator

    def __getitem__(self, event_type: str) -> SchemaValidator:
        validator = self.get(event_type)
        if validator is None:
            raise KeyError(event_type)
        return validator


# Each type's compiled validator: the stored type column picks it, which spares the union's
# dispatch and TypeAdapter's Python layer on every event read.
def _model_validator(cls: type[BaseEvent]) -> SchemaValidator:
    # A pluggable validator only when pydantic plugins are installed and on; it validates alike.
    return _built(cls).__pydantic_validator__  # type: ignore[return-value]


_VALIDATORS = _PerType(_model_validator)


class UndecodableError(ValueError):
    """A stored payload cannot be read back as an event; the message is one line."""


def decode(payload: str, event_type: str, schema_version: int, *, verify: bool = True) -> Event:
    """The event a stored payload holds, lifted to the current schema first; raise
    UndecodableError (one line) when the row cannot be an event. Without `verify`, the
    validators that leave a valid stored value as it is are skipped (see READ_BACK): the
    read of a log."""
    validator = _VALIDATORS.get(event_type)
    if validator is not None and schema_version == SCHEMA_VERSION:
        try:  # the path of every current event: its own type's compiled validator
            context = None if verify else READ_BACK
            return validator.validate_json(payload, context=context)  # type: ignore[no-any-return]
        except ValidationError as e:
            raise UndecodableError(f"payload does not decode: {describe(e)}") from e
    if validator is None:
        raise UndecodableError(f"unknown event type {event_type!r}")
    if not 1 <= schema_version <= SCHEMA_VERSION:
        raise UndecodableError(f"unknown schema version {schema_version!r}")
    try:
        event = _lift(payload, event_type, schema_version)
    except ValidationError as e:
        raise UndecodableError(f"payload does not decode: {describe(e)}") from e
    except (ValueError, TypeError, AttributeError, RecursionError) as e:
        raise UndecodableError(f"payload does not decode: {type(e).__name__}") from e
    if event.type != event_type:
        raise UndecodableError(f"payload is a {event.type}, not a {event_type}")
    return event


def stored_event(
    payload: str, event_type: str, schema: int, where: object, key: str = "position"
) -> Event:
    """An event read back from the log (see `decode`, without `verify`); a damaged row is
    one line naming it (by `key` = `where`)."""
    try:
        return decode(payload, event_type, schema, verify=False)
    except UndecodableError as e:
        raise IntegrityError(
            f"the stored event at {key} {where} is damaged ({e}); run tracker verify"
        ) from e


LogRow = tuple[str, str, int, int, int, Any]  # payload, type, schema version, position, version,
# recorded_at: the columns a log's read selects


def stored_records(rows: Iterable[LogRow]) -> list[Recorded]:
    """Log rows read back, as `stored_event` reads each; the loop of every replay, so the
    current schema's path is taken inline and an append's shared recorded_at parsed once."""
    readers, current, context = _VALIDATORS, SCHEMA_VERSION, READ_BACK
    moments: dict[Any, dt.datetime] = {}
    records = []
    for payload, event_type, schema, position, version, at in rows:
        reader = readers.get(event_type)
        if reader is not None and schema == current:
            try:
                event = reader.validate_json(payload, context=context)
            except ValidationError:  # raised again as one line naming the row
                event = stored_event(payload, event_type, schema, position)
        else:
            event = stored_event(payload, event_type, schema, position)
        recorded_at = moments.get(at)
        if recorded_at is None:
            recorded_at = moments[at] = _recorded_at(at, position)
        records.append(Recorded(event, position, version, recorded_at))
    return records


def _recorded_at(value: object, position: int) -> dt.datetime:
    """A row's recorded_at; one line naming the row unless it is written as the store writes
    it (see driver.written_moment: the hash covers the value, SQL compares the text)."""
    try:
        return written_moment(value)
    except ValueError as e:
        raise IntegrityError(
            f"the stored event at position {position} is damaged (column recorded_at {e}); "
            "run tracker verify"
        ) from None


FactRow = tuple[str, str, int, int]  # payload, type, schema version, position: what a replay's
# facts need (it reads only those recorded by its moment, so not when each was)


def stored_facts(
    chunks: Iterable[Sequence[FactRow]], skip_replaced: bool = False
) -> Iterator[tuple[Fact, int]]:
    """A replay's facts read back, with their positions, as `stored_event` reads each, chunk
    after chunk as they are fetched (retractions and corrections, which are not facts, are
    left out): the loop of every replay, in one generator. With `skip_replaced` (for a read
    that no retraction or correction touches), a term.set that a later one in its chunk
    replaces is not even decoded (see `replaced`)."""
    readers, current, context = _VALIDATORS, SCHEMA_VERSION, READ_BACK
    for rows in chunks:
        skipped = replaced(rows) if skip_replaced else ()
        for payload, event_type, schema, position in rows:
            if position in skipped:
                continue
            reader = readers.get(event_type)
            fact: Fact | None = None
            if reader is not None and schema == current and event_type not in CORRECTION_TYPES:
                try:
                    fact = reader.validate_json(payload, context=context)
                except ValidationError:  # read again below: refused in one line naming the row
                    fact = None
            if fact is None:
                event = stored_event(payload, event_type, schema, position)
                if isinstance(event, CORRECTIONS):
                    continue
                fact = event
            yield fact, position


def replaced(rows: Sequence[FactRow]) -> set[int]:
    """The positions of the term.set rows, among a replay's facts in the order it reads them
    (by first day, then position), that a later term.set of the same term replaces before
    anything can see them: both dated on an exact day, so that the later one is folded
    after, and puts its own term in force whatever the earlier one left (a read that a
    retraction or correction touches must not use this: one could undo the later set).
    Their term and day are read from the stored text, not decoded (see `_field`)."""
    setting: set[str] = set()  # terms a later exact term.set sets
    found = set()
    for payload, event_type, schema, position in reversed(rows):
        if event_type != "term.set" or schema != SCHEMA_VERSION:
            continue
        term, effective = _field(payload, '"term":"'), _field(payload, '"effective":"')
        if term is None or effective is None or not _exact(effective):
            continue
        if term in setting:
            found.add(position)
        else:
            setting.add(term)
    return found


def _exact(text: str) -> bool:
    """Whether a stored date's text is one day (not a day that does not exist either: that
    row is decoded, and refused)."""
    try:
        return When.parse(text).exact
    except ValueError:
        return False


def _field(payload: str, key: str) -> str | None:
    """The text of a string field of a current term.set's stored payload, by its first
    occurrence (`key` is `"name":"`). That is the event's own field for `term` and
    `effective`: `encode` writes them before `value`, the one field that may hold objects
    with keys of any name; in any string value a quote is escaped. None for a value with an
    escape, which neither field can hold."""
    start = payload.find(key)
    if start < 0:
        return None
    start += len(key)
    end = payload.find('"', start)
    text = payload[start:end]
    return None if end < 0 or "\\" in text else text


def _lift(payload: str, event_type: str, schema_version: int) -> Event:
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


def link_hash(
    prev_hash: str,
    position: int,
    agreement: str,
    version: int,
    event_type: str,
    schema_version: int,
    target: str | None,
    recorded_at: dt.datetime | str,
    payload: str,
) -> str:
    """The format-2 hash of one event, linked to the hash of the event before it: it covers
    every column replay reads (the payload last, the only field that may hold a newline)."""
    moment = recorded_at if isinstance(recorded_at, str) else recorded_at.isoformat()
    text = (
        f"{HASH_VERSION}\n{prev_hash}\n{position}\n{agreement}\n{version}\n{event_type}\n"
        f"{schema_version}\n{'' if target is None else target}\n{moment}\n{payload}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hex_of(stored: object) -> str:
    """A stored event hash as hex text (the form every hash takes outside the table): the
    column keeps the 32 bytes; a value of another kind (a row edited by hand) reads as its
    text, so that it differs from the hash it should be."""
    if isinstance(stored, bytes | bytearray | memoryview):
        return bytes(stored).hex()
    return str(stored)


def row_hash(row: Mapping[Any, Any], prev_hash: str) -> str:
    """The hash a stored event row should have, in the format the row says it uses."""
    if row["hash_version"] == 1:
        return chain_hash(
            prev_hash, row["agreement"], row["version"], row["recorded_at"], row["payload"]
        )
    return link_hash(
        prev_hash, row["position"], row["agreement"], row["version"], row["type"],
        row["schema_version"], row["target"], row["recorded_at"], row["payload"],
    )  # fmt: skip


def source_hash(prev_hash: str, row: Mapping[Any, Any]) -> str:
    """The hash of one stored source (metadata, derived_from and its text's sha256), linked to
    the source stored before it in its agreement."""
    published = row["published"]
    fields = (
        "source/1", prev_hash, row["agreement"], row["seq"], row["id"], row["title"],
        row["publisher"], row["url"], published.isoformat() if published else None, row["file"],
        row["derived_from"], row["sha256"],
    )  # fmt: skip
    return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()
