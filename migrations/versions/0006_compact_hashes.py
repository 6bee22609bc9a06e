"""Compact hashes: each event keeps its hash as 32 bytes instead of 64 hex characters, and no
longer stores the hash before it (the previous row in its agreement's version order has it,
so verify checks the same chain). The hash values, and how they are computed, do not change.
The index of events by target keeps only the events that have one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
COPIED = ("position", "id", "agreement", "version", "type", "schema_version", "effective",
          "announced", "target", "recorded_at", "payload")  # fmt: skip
HEX = re.compile(r"[0-9a-f]{64}")
SQLITE_TRIGGERS = [
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END""",
]
# A hash that is not what the tracker writes (a row edited by hand) is kept as its text's
# bytes, so that the upgrade goes through and verify still names the row.
POSTGRES_UPGRADE = [
    f"""ALTER TABLE events DROP COLUMN prev_hash,
    ALTER COLUMN hash TYPE bytea USING CASE WHEN hash ~ '^{HEX.pattern}$'
    THEN decode(hash, 'hex') ELSE convert_to(hash, 'UTF8') END""",
    "DROP INDEX ix_events_target",
    "CREATE INDEX ix_events_target ON events (target) WHERE target IS NOT NULL",
]
POSTGRES_DOWNGRADE = [
    "DROP INDEX ix_events_target",
    "CREATE INDEX ix_events_target ON events (target)",
    """ALTER TABLE events ALTER COLUMN hash TYPE varchar(64) USING CASE WHEN length(hash) = 32
       THEN encode(hash, 'hex') ELSE convert_from(hash, 'UTF8') END,
       ADD COLUMN prev_hash varchar(64)""",
    "ALTER TABLE events DISABLE TRIGGER events_no_update_delete",
    f"""UPDATE events SET prev_hash = chain.prev FROM (SELECT position, coalesce(lag(hash)
       OVER (PARTITION BY agreement ORDER BY version, position), '{GENESIS}') AS prev
       FROM events) AS chain WHERE events.position = chain.position""",
    "ALTER TABLE events ENABLE TRIGGER events_no_update_delete",
    "ALTER TABLE events ALTER COLUMN prev_hash SET NOT NULL",
]


def _columns(compact: bool) -> list[sa.Column[Any]]:
    """The events table's columns at 0005 (hex hashes, prev_hash) or at this revision."""
    hashes: list[sa.Column[Any]] = (
        [sa.Column("hash", sa.LargeBinary(), nullable=False)]
        if compact
        else [
            sa.Column("prev_hash", sa.String(64), nullable=False),
            sa.Column("hash", sa.String(64), nullable=False),
        ]
    )
    return [
        sa.Column(
            "position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
        ),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("agreement", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("announced", sa.Date(), nullable=True),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        *hashes,
        sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1"),
        sa.UniqueConstraint("id", name="uq_events_id"),
        sa.UniqueConstraint("agreement", "version", name="uq_events_agreement_version"),
    ]


def _packed(text: object) -> bytes | None:
    """A stored hex hash as its bytes; any other text as its UTF-8 bytes (see above)."""
    if text is None:
        return None
    text = str(text)
    return bytes.fromhex(text) if HEX.fullmatch(text) else text.encode("utf-8")


def _unpacked(stored: object) -> str | None:
    """A stored hash as hex text again; bytes that are not a hash as the text they were."""
    if not isinstance(stored, bytes):
        return None if stored is None else str(stored)
    return stored.hex() if len(stored) == 32 else stored.decode("utf-8", "replace")


def _rebuild_sqlite(compact: bool, hashes: str) -> None:
    """SQLite cannot change a column's type: copy the events into a new table (the triggers
    refuse no INSERT), with `hashes` the SELECT's expressions for the hash columns."""
    op.create_table("events_rebuilt", *_columns(compact))
    names = [*COPIED, *(["hash"] if compact else ["prev_hash", "hash"]), "hash_version"]
    kept = ", ".join(COPIED)
    op.execute(
        f"INSERT INTO events_rebuilt ({', '.join(names)}) "
        f"SELECT {kept}, {hashes}, hash_version FROM events"
    )
    op.drop_table("events")  # with its indexes and triggers
    op.rename_table("events_rebuilt", "events")
    op.create_index(
        "ix_events_agreement_effective", "events", ["agreement", "effective", "position"]
    )
    where = {"sqlite_where": sa.text("target IS NOT NULL")} if compact else {}
    op.create_index("ix_events_target", "events", ["target"], **where)
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def _sqlite_function(name: str, function: Any) -> None:
    """A Python function the migration's SQL may call, on this SQLite connection only."""
    op.get_bind().connection.driver_connection.create_function(  # type: ignore[union-attr]
        name, 1, function, deterministic=True
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in POSTGRES_UPGRADE:
            op.execute(statement)
        return
    _sqlite_function("tracker_packed", _packed)
    _rebuild_sqlite(compact=True, hashes="tracker_packed(hash)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        for statement in POSTGRES_DOWNGRADE:
            op.execute(statement)
        return
    _sqlite_function("tracker_unpacked", _unpacked)
    _rebuild_sqlite(
        compact=False,
        hashes=(
            f"coalesce(lag(tracker_unpacked(hash)) OVER (PARTITION BY agreement ORDER BY "
            f"version, position), '{GENESIS}'), tracker_unpacked(hash)"
        ),
    )
