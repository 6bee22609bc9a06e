"""The sources table: each agreement's sources, with their stored texts and hashes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from msgspec.structs import asdict

from tracker.core.events import Source, StoredSource
from tracker.errors import IntegrityError
from tracker.store import codec, sql
from tracker.store.driver import Cursor, written_day


def read(look: Cursor, agreement: str) -> list[StoredSource]:
    """The agreement's sources, by id."""
    return [_stored_source(row) for row in look.mappings(sql.SOURCE_READ, {"agreement": agreement})]


def read_cited(look: Cursor, agreement: str, ids: Sequence[str]) -> list[StoredSource]:
    """The agreement's sources with these ids (the others are not read, texts and all)."""
    return [
        _stored_source(row)
        for statement, params in look.filled(sql.SOURCES_CITED, ids, {"agreement": agreement})
        for row in look.mappings(statement, params)
    ]


def put(look: Cursor, agreement: str, sources: Sequence[StoredSource]) -> None:
    """Insert the sources not stored yet (one stored with other content is an error)."""
    if not sources:
        return
    from tracker.core.rules import new_sources  # a write's: reads do not import the rules

    stored = {s.source.id: s for s in read(look, agreement)}
    new = new_sources(sources, stored)
    if new:
        look.execute_many(sql.SOURCE_INSERT, chained(look, agreement, new))


def chained(look: Cursor, agreement: str, sources: Sequence[StoredSource]) -> list[dict[str, Any]]:
    """New source rows, each linked to the one before it in the agreement's source chain."""
    last = look.rows(sql.SOURCE_LAST, {"agreement": agreement})
    seq, prev = last[0] if last else (0, codec.GENESIS)
    rows = []
    for stored in sources:
        seq += 1
        row = {"agreement": agreement, **asdict(stored.source), "text": stored.text}
        row |= {"sha256": stored.sha256, "seq": seq, "prev_hash": prev}
        row["hash"] = prev = codec.source_hash(prev, row)
        rows.append(row)
    return rows


def _stored_source(row: dict[str, Any]) -> StoredSource:
    """A stored source; a damaged row is one line naming it."""
    fields = {k: row[k] for k in Source.__struct_fields__}
    try:
        if fields["published"] is not None:  # another spelling of a date is refused, not read
            fields["published"] = written_day(fields["published"])
        source = msgspec.convert(fields, Source)  # its types and constraints, as events' are
        return StoredSource(source=source, text=row["text"], sha256=row["sha256"])
    except (msgspec.ValidationError, ValueError) as e:
        problem = _problem(fields) if isinstance(e, msgspec.ValidationError) else None
        raise IntegrityError(
            f"the stored source {row['id']!r} of {row['agreement']!r} is damaged "
            f"({problem or f'column published {e}'}); run tracker verify"
        ) from e


def _problem(fields: dict[str, Any]) -> str:
    """What is wrong with a damaged source's fields, in the edge's words (pydantic)."""
    from tracker.core import validation
    from tracker.core.wording import describe

    try:
        validation.value(Source, fields)
    except validation.ValidationError as e:
        return describe(e, validation.model_of(Source))
    return "its fields are not a source"
