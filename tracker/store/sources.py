"""The sources table: each agreement's sources, with their stored texts and hashes."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.core.events import Source, StoredSource
from tracker.core.rules import new_sources
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
    rows = [
        {"agreement": agreement, **s.source.model_dump(), "text": s.text, "sha256": s.sha256}
        for s in new_sources(sources, stored)
    ]
    if rows:
        conn.execute(sources_table.insert(), rows)


def _stored_source(row: sa.RowMapping) -> StoredSource:
    fields = {k: row[k] for k in Source.model_fields}
    return StoredSource(source=Source(**fields), text=row["text"], sha256=row["sha256"])
