"""The term index tells a term.ended from other facts (kind 'end'): whether a term is in force
is decided, on every append of an amendment, from its sets and ends alone, read from the
index without reading its amendments.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "UPDATE term_events SET kind = 'end' WHERE kind = 'fact' AND position IN "
        "(SELECT position FROM events WHERE type = 'term.ended')"
    )


def downgrade() -> None:
    op.execute("UPDATE term_events SET kind = 'fact' WHERE kind = 'end'")
