"""A narrower term index: its rows keep their dates as day numbers (`date.toordinal`), a few
bytes where ISO text takes ten on SQLite, and no longer copy when the event was recorded (the
events row has it, one lookup by position away). The rows and what they say do not change.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# SQLite's julianday of 0001-01-01 is 1721425.5, whose day number is 1.
JULIAN = 1721424.5
POSTGRES_UPGRADE = """ALTER TABLE term_events DROP COLUMN recorded_at,
    ALTER COLUMN first TYPE integer USING first - DATE '0001-01-01' + 1,
    ALTER COLUMN last TYPE integer USING last - DATE '0001-01-01' + 1"""
POSTGRES_DOWNGRADE = [
    """ALTER TABLE term_events ADD COLUMN recorded_at timestamp without time zone,
    ALTER COLUMN first TYPE date USING DATE '0001-01-01' + (first - 1),
    ALTER COLUMN last TYPE date USING DATE '0001-01-01' + (last - 1)""",
    """UPDATE term_events SET recorded_at = events.recorded_at FROM events
    WHERE events.position = term_events.position""",
    "ALTER TABLE term_events ALTER COLUMN recorded_at SET NOT NULL",
]


def _columns(narrow: bool) -> list[sa.Column[Any]]:
    """The term index's columns at 0006 (dates, recorded_at) or at this revision."""
    day = sa.Integer() if narrow else sa.Date()
    recorded = [] if narrow else [sa.Column("recorded_at", sa.DateTime(), nullable=False)]
    return [
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("agreement", sa.String(100), primary_key=True),
        sa.Column(
            "position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
        ),
        sa.Column("kind", sa.String(5), nullable=False),
        sa.Column("first", day, nullable=False),
        sa.Column("last", day, nullable=False),
        *recorded,
    ]


def _rebuild_sqlite(narrow: bool, select: str) -> None:
    """SQLite cannot change a column's type: the table is built anew from `select`."""
    op.create_table("term_events_new", *_columns(narrow), sqlite_with_rowid=False)
    names = ", ".join(c.name for c in _columns(narrow))
    op.execute(f"INSERT INTO term_events_new ({names}) {select}")
    op.drop_table("term_events")
    op.rename_table("term_events_new", "term_events")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_UPGRADE)
        return
    _rebuild_sqlite(
        True,
        f"SELECT term, agreement, position, kind, CAST(julianday(first) - {JULIAN} AS INTEGER),"
        f" CAST(julianday(last) - {JULIAN} AS INTEGER) FROM term_events",
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_DOWNGRADE:
            op.execute(statement)
        return
    _rebuild_sqlite(
        False,
        f"SELECT k.term, k.agreement, k.position, k.kind, date(k.first + {JULIAN}),"
        f" date(k.last + {JULIAN}), e.recorded_at FROM term_events AS k"
        " JOIN events AS e ON e.position = k.position",
    )
