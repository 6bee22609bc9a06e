"""An index of each agreement's reviews (`record.reviewed`): every read finds how far the
record reaches from them, and they are few among many events.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REVIEWED = sa.text("type = 'record.reviewed'")


def upgrade() -> None:
    op.create_index(
        "ix_events_reviewed",
        "events",
        ["agreement", "effective"],
        sqlite_where=REVIEWED,
        postgresql_where=REVIEWED,
    )


def downgrade() -> None:
    op.drop_index("ix_events_reviewed", table_name="events")
