"""Tamper evidence for everything replay reads: events gain a hash format (2 covers position,
type, schema version and target), and sources become append-only rows in a chain of their own.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
METADATA = ("title", "publisher", "url", "published", "file", "derived_from", "text", "sha256")

SQLITE_TRIGGERS = [
    """CREATE TRIGGER sources_no_update BEFORE UPDATE ON sources
       BEGIN SELECT RAISE(ABORT, 'sources are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER sources_no_delete BEFORE DELETE ON sources
       BEGIN SELECT RAISE(ABORT, 'sources are append-only: DELETE refused'); END""",
]
# As revision 0001 creates it.
EVENTS_NO_UPDATE = """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END"""
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION sources_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'sources are append-only: % refused', TG_OP; END $$""",
    """CREATE TRIGGER sources_no_update_delete BEFORE UPDATE OR DELETE ON sources
       FOR EACH ROW EXECUTE FUNCTION sources_append_only()""",
    """CREATE TRIGGER sources_no_truncate BEFORE TRUNCATE ON sources
       FOR EACH STATEMENT EXECUTE FUNCTION sources_append_only()""",
]


def _source_hash(prev_hash: str, row: dict[str, Any]) -> str:
    """The source chain's hash as this revision defines it (a frozen copy of the codec's)."""
    published = row["published"]
    fields = (
        "source/1", prev_hash, row["agreement"], row["seq"], row["id"], row["title"],
        row["publisher"], row["url"], published.isoformat() if published else None, row["file"],
        row["derived_from"], row["sha256"],
    )  # fmt: skip
    return hashlib.sha256(json.dumps(fields).encode("utf-8")).hexdigest()


def _sources_table(chained: bool) -> list[sa.Column[Any]]:
    columns: list[sa.Column[Any]] = [
        sa.Column("agreement", sa.String(100), primary_key=True),
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("published", sa.Date(), nullable=True),
        sa.Column("file", sa.Text(), nullable=True),
        sa.Column("derived_from", sa.String(100), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
    ]
    if chained:
        columns += [
            sa.Column("seq", sa.Integer(), nullable=False),
            sa.Column("prev_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
        ]
    return columns


def _rows() -> list[dict[str, Any]]:
    columns = [sa.column(n, sa.Date()) if n == "published" else sa.column(n) for n in METADATA]
    old = sa.table("sources", sa.column("agreement"), sa.column("id"), *columns)
    query = sa.select(old).order_by(old.c.agreement, old.c.id)
    return [dict(row) for row in op.get_bind().execute(query).mappings()]


def _chained(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with their place in their agreement's source chain (by id, as stored before)."""
    heads: dict[str, tuple[int, str]] = {}
    result = []
    for row in rows:
        seq, prev = heads.get(row["agreement"], (0, GENESIS))
        row = {**row, "seq": seq + 1, "prev_hash": prev}
        row["hash"] = _source_hash(prev, row)
        heads[row["agreement"]] = (seq + 1, row["hash"])
        result.append(row)
    return result


def _link_hash(row: Any) -> str:
    """The format-2 hash of an event as this revision defines it (a frozen copy of the
    codec's), linked to the hash before it as the row stores it."""
    target = "" if row.target is None else row.target
    text = (
        f"2\n{row.prev_hash}\n{row.position}\n{row.agreement}\n{row.version}\n{row.type}\n"
        f"{row.schema_version}\n{target}\n{row.recorded_at.isoformat()}\n{row.payload}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _in_format_2() -> list[int]:
    """The positions of the events whose hash is a format-2 hash: none at a first upgrade;
    after a downgrade past this revision, each one written since, whose format the downgrade
    dropped with its column (the hash itself tells it)."""
    names = ("position", "agreement", "version", "type", "schema_version", "target", "payload",
             "prev_hash", "hash")  # fmt: skip
    events = sa.table("events", *map(sa.column, names), sa.column("recorded_at", sa.DateTime()))
    rows = op.get_bind().execute(sa.select(events))
    return [row.position for row in rows if row.hash == _link_hash(row)]


def _mark_format_2(positions: list[int]) -> None:
    """Set those events' hash format, past the trigger that refuses an UPDATE of events."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    guard = "events_no_update" if sqlite else "events_no_update_delete"
    op.execute(f"DROP TRIGGER {guard}" if sqlite else f"ALTER TABLE events DISABLE TRIGGER {guard}")
    events = sa.table("events", sa.column("position"), sa.column("hash_version"))
    for chunk in range(0, len(positions), 500):
        op.execute(
            events.update()
            .where(events.c.position.in_(positions[chunk : chunk + 500]))
            .values(hash_version=2)
        )
    op.execute(EVENTS_NO_UPDATE if sqlite else f"ALTER TABLE events ENABLE TRIGGER {guard}")


def upgrade() -> None:
    op.add_column(
        "events", sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1")
    )
    positions = _in_format_2()
    if positions:
        _mark_format_2(positions)
    rows = _chained(_rows())
    op.drop_table("sources")
    table = op.create_table(
        "sources",
        *_sources_table(chained=True),
        sa.UniqueConstraint("agreement", "seq", name="uq_sources_agreement_seq"),
    )
    if rows:
        op.bulk_insert(table, rows)
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    rows = _rows()
    op.drop_table("sources")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION sources_append_only()")
    table = op.create_table("sources", *_sources_table(chained=False))
    if rows:
        op.bulk_insert(table, rows)
    op.drop_column("events", "hash_version")
