"""SQLite only: an index of the events whose effective or recorded_at is not written as the
store writes them (none in a sound log), which reads look up to refuse such a row rather than
let a filter on its text leave it out. PostgreSQL's typed columns have one spelling.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# A frozen copy of tracker.store.sql.WRITTEN (reads use the index only while their predicate
# is this one).
WRITTEN = (
    "typeof(effective) = 'text' AND length(CAST(effective AS BLOB)) = 10"
    " AND effective GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'"
    " AND typeof(recorded_at) = 'text' AND length(CAST(recorded_at AS BLOB)) = 26"
    " AND recorded_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
    " [0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.create_index(
            "ix_events_misspelled",
            "events",
            ["agreement"],
            sqlite_where=sa.text(f"NOT ({WRITTEN})"),
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.drop_index("ix_events_misspelled", table_name="events")
