"""How events are written down: their JSON payload, the hash chain, upcasting old schemas."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from tracker.core import plain
from tracker.core.dates import When
from tracker.core.events import CORRECTION_TYPES, CORRECTIONS, EVENT_TYPES, Event, Fact
from tracker.core.state import Recorded
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
    their order, those left at their defaults left out (decoding fills them in again); a
    reader of the bare JSON (migration 0004, an upcaster) knows the event's type from it."""
    return plain.encode(event)


class UndecodableError(ValueError):
    """A stored payload cannot be read back as an event; the message is one line."""


def decode(payload: str, event_type: str, schema_version: int, *, verify: bool = True) -> Event:
    """The event a stored payload holds, lifted to the current schema first; raise
    UndecodableError (one line) when the row cannot be an event. With `verify`, the payload
    is validated as data coming in is (pydantic, every rule of the edges: `tracker verify`);
    without, it is decoded into its type, its types and constraints checked (a read of the
    log: the rules were checked when it was written, and the hash chain covers it)."""
    if event_type not in EVENT_TYPES:
        raise UndecodableError(f"unknown event type {event_type!r}")
    if not 1 <= schema_version <= SCHEMA_VERSION:
        raise UndecodableError(f"unknown schema version {schema_version!r}")
    if verify:
        return _validated(payload, event_type, schema_version)
    try:  # a read: the current schema's path is its own type's decoder
        if schema_version == SCHEMA_VERSION:
            return plain.decode(payload, event_type)
        return plain.from_data(_lifted(payload, event_type, schema_version), event_type)
    except (plain.DecodeError, ValueError, TypeError, AttributeError, RecursionError):
        # A damaged row: validated as at the edge, which names what is wrong in its words.
        return _validated(payload, event_type, schema_version)


def _lifted(payload: str, event_type: str, schema_version: int) -> Any:
    """A stored payload's data, lifted from its schema version to the current one."""
    data = json.loads(payload)
    version = schema_version
    while version < SCHEMA_VERSION:
        data = UPCASTERS[(event_type, version)](data)
        version += 1
    return data


def _validated(payload: str, event_type: str, schema_version: int) -> Event:
    """A stored payload validated at the edge (pydantic), lifted from its schema version."""
    from tracker.core import validation
    from tracker.core.wording import describe

    try:
        if schema_version == SCHEMA_VERSION:  # its own type's model: its words for bad JSON
            check = validation.adapter(plain.event_class(event_type))
            event: Event = check.validate_json(payload)
        else:
            event = validation.event(_lifted(payload, event_type, schema_version))
    except validation.ValidationError as e:
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
    decoder, current = plain.decoder, SCHEMA_VERSION
    moments: dict[Any, dt.datetime] = {}
    records = []
    for payload, event_type, schema, position, version, at in rows:
        reader = decoder(event_type)
        if reader is not None and schema == current:
            try:
                event = reader.decode(payload)
            except (plain.DecodeError, RecursionError):  # again, as one line naming the row
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
    decoder, current = plain.decoder, SCHEMA_VERSION
    for rows in chunks:
        skipped = replaced(rows) if skip_replaced else ()
        for payload, event_type, schema, position in rows:
            if position in skipped:
                continue
            reader = decoder(event_type)
            fact: Fact | None = None
            if reader is not None and schema == current and event_type not in CORRECTION_TYPES:
                try:
                    fact = reader.decode(payload)
                except (plain.DecodeError, RecursionError):  # refused below, naming the row
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
