"""Keys that distribute by agreement: every key of the log's tables leads with `agreement`,
so that the log can be spread over servers by agreement (Citus). An event is keyed by its
agreement and version (the unique index it had), its id is unique within its agreement (no
longer across agreements), and the index of retractions and corrections by target leads with
the agreement too. `position` stays the whole log's order, unique by how appends give it,
with an index of its own (by position, then agreement); on SQLite it is no longer the table's rowid.

A downgrade refuses, naming it, an event id that agreements share (the earlier schema cannot
hold it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = ("position", "id", "agreement", "version", "type", "schema_version", "effective",
           "announced", "target", "recorded_at", "payload", "hash", "hash_version")  # fmt: skip
SQLITE_TRIGGERS = [
    """CREATE TRIGGER events_no_update BEFORE UPDATE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE refused'); END""",
    """CREATE TRIGGER events_no_delete BEFORE DELETE ON events
       BEGIN SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END""",
]
# A frozen copy of 0010's predicate: the events whose dates are not written as the store
# writes them.
WRITTEN = (
    "typeof(effective) = 'text' AND length(CAST(effective AS BLOB)) = 10"
    " AND effective GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
    " AND typeof(recorded_at) = 'text' AND length(CAST(recorded_at AS BLOB)) = 26"
    " AND recorded_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    " [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
)
POSTGRES_UPGRADE = [
    "ALTER TABLE events DROP CONSTRAINT events_pkey",
    "ALTER TABLE events ALTER COLUMN position DROP DEFAULT",
    "DROP SEQUENCE IF EXISTS events_position_seq",
    "ALTER TABLE events DROP CONSTRAINT uq_events_agreement_version",
    "ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (agreement, version)",
    "ALTER TABLE events DROP CONSTRAINT uq_events_id",
    "ALTER TABLE events ADD CONSTRAINT uq_events_agreement_id UNIQUE (agreement, id)",
    "CREATE INDEX ix_events_position ON events (position, agreement)",
    "DROP INDEX ix_events_target",
    "CREATE INDEX ix_events_target ON events (agreement, target) WHERE target IS NOT NULL",
]
POSTGRES_DOWNGRADE = [
    "DROP INDEX ix_events_target",
    "CREATE INDEX ix_events_target ON events (target) WHERE target IS NOT NULL",
    "DROP INDEX ix_events_position",
    "ALTER TABLE events DROP CONSTRAINT uq_events_agreement_id",
    "ALTER TABLE events ADD CONSTRAINT uq_events_id UNIQUE (id)",
    "ALTER TABLE events DROP CONSTRAINT pk_events",
    "ALTER TABLE events ADD CONSTRAINT uq_events_agreement_version UNIQUE (agreement, version)",
    "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY (position)",
]
# An id two agreements share, which the earlier schema's unique id cannot hold.
SHARED_ID = "SELECT id FROM events GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 1"


def _columns(keyed: bool) -> list[Any]:
    """The events table's columns and keys at 0011 (`keyed` False) or at this revision."""
    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    keys = (
        [
            sa.PrimaryKeyConstraint("agreement", "version", name="pk_events"),
            sa.UniqueConstraint("agreement", "id", name="uq_events_agreement_id"),
        ]
        if keyed
        else [
            sa.PrimaryKeyConstraint("position"),
            sa.UniqueConstraint("id", name="uq_events_id"),
            sa.UniqueConstraint("agreement", "version", name="uq_events_agreement_version"),
        ]
    )
    return [
        sa.Column("position", position, nullable=False),
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
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1"),
        *keys,
    ]


def _rebuild_sqlite(keyed: bool) -> None:
    """SQLite cannot change a table's keys: copy the events into a new table (the triggers
    refuse no INSERT), then build its indexes and triggers again."""
    op.create_table("events_rebuilt", *_columns(keyed))
    names = ", ".join(COLUMNS)
    op.execute(f"INSERT INTO events_rebuilt ({names}) SELECT {names} FROM events")
    op.drop_table("events")  # with its indexes and triggers
    op.rename_table("events_rebuilt", "events")
    op.create_index(
        "ix_events_agreement_effective", "events", ["agreement", "effective", "position"]
    )
    aimed = sa.text("target IS NOT NULL")
    if keyed:
        op.create_index("ix_events_position", "events", ["position", "agreement"])
        op.create_index("ix_events_target", "events", ["agreement", "target"], sqlite_where=aimed)
    else:
        op.create_index("ix_events_target", "events", ["target"], sqlite_where=aimed)
    reviewed = sa.text("type = 'record.reviewed'")
    op.create_index(
        "ix_events_reviewed", "events", ["agreement", "effective"], sqlite_where=reviewed
    )
    misspelled = sa.text(f"NOT ({WRITTEN})")
    op.create_index("ix_events_misspelled", "events", ["agreement"], sqlite_where=misspelled)
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=True)
        return
    for statement in POSTGRES_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    shared = op.get_bind().execute(sa.text(SHARED_ID)).first()
    if shared is not None:
        raise CommandError(
            f"cannot go below revision 0012: event id {shared[0]!r} is used by more than one"
            " agreement, which earlier revisions do not allow"
        )
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(keyed=False)
        return
    for statement in POSTGRES_DOWNGRADE:
        op.execute(statement)
