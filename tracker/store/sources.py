"""The sources table: each agreement's sources, with their stored texts and hashes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from tracker.core.events import Source, StoredSource
from tracker.core.rules import new_sources
from tracker.core.wording import describe
from tracker.errors import IntegrityError
from tracker.store import codec
from tracker.store.tables import sources_table


def read(conn: Connection, agreement: str) -> list[StoredSource]:
    """The agreement's sources, by id."""
    t = sources_table
    query = sa.select(t).where(t.c.agreement == agreement).order_by(t.c.id)
    return [_stored_source(row) for row in conn.execute(query).mappings()]


def put(conn: Connection, agreement: str, sources: Sequence[StoredSource]) -> None:
    """Insert the sources not stored yet (one stored with other content is an error)."""
    if not sources:
        return
    stored = {s.source.id: s for s in read(conn, agreement)}
    new = new_sources(sources, stored)
    if new:
        conn.execute(sources_table.insert(), chained(conn, agreement, new))


def chained(
    conn: Connection, agreement: str, sources: Sequence[StoredSource]
) -> list[dict[str, Any]]:
    """New source rows, each linked to the one before it in the agreement's source chain."""
    t = sources_table
    last = conn.execute(
        sa.select(t.c.seq, t.c.hash)
        .where(t.c.agreement == agreement)
        .order_by(t.c.seq.desc())
        .limit(1)
    ).first()
    seq, prev = (0, codec.GENESIS) if last is None else (last.seq, last.hash)
    rows = []
    for stored in sources:
        seq += 1
        row = {"agreement": agreement, **stored.source.model_dump(), "text": stored.text}
        row |= {"sha256": stored.sha256, "seq": seq, "prev_hash": prev}
        row["hash"] = prev = codec.source_hash(prev, row)
        rows.append(row)
    return rows


def _stored_source(row: sa.RowMapping) -> StoredSource:
    """A stored source; a damaged row is one line naming it."""
    fields = {k: row[k] for k in Source.model_fields}
    try:
        return StoredSource(source=Source(**fields), text=row["text"], sha256=row["sha256"])
    except ValidationError as e:
        raise IntegrityError(
            f"the stored source {row['id']!r} of {row['agreement']!r} is damaged "
            f"({describe(e)}); run tracker verify"
        ) from e
