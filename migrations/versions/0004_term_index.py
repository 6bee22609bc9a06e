"""The term index: which events concern which term, so that one term can be read in every
agreement without replaying every log. Built here from the events already stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

AMENDMENT_TYPES = ("event.retracted", "event.corrected")
BATCH = 10_000


def _term(event_type: str, payload: str) -> str | None:
    """The term a stored event names (a correction: its replacement's), read from the JSON
    payload as every schema version writes it."""
    data = json.loads(payload)
    if event_type == "event.corrected":
        data = data.get("replacement") or {}
    elif event_type == "event.retracted":
        return None
    term = data.get("term")
    return term if isinstance(term, str) else None


def _index(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Every event of a group (a fact and the retractions and corrections aimed at it) under
    every term any version of the fact names: the log's rule, frozen as this revision has it."""
    parent: dict[str, str] = {}
    members: dict[str, list[tuple[int, str]]] = {}
    terms: dict[str, set[str]] = {}
    for position, agreement, event_id, event_type, target, payload in rows:
        if target is not None and event_type in AMENDMENT_TYPES:
            parent[event_id] = target
        root, seen = event_id, {event_id}
        while (up := parent.get(root)) is not None and up not in seen:
            seen.add(up)
            root = up
        members.setdefault(root, []).append((position, agreement))
        if (term := _term(event_type, payload)) is not None:
            terms.setdefault(root, set()).add(term)
    return [
        {"term": term, "agreement": agreement, "position": position}
        for root, names in terms.items()
        for term in sorted(names)
        for position, agreement in members[root]
    ]


def upgrade() -> None:
    table = op.create_table(
        "term_events",
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column(
            "position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
        ),
        sa.Column("agreement", sa.String(100), nullable=False),
        sqlite_with_rowid=False,
    )
    events = sa.table(
        "events",
        *(sa.column(n) for n in ("position", "agreement", "id", "type", "target", "payload")),
    )
    query = sa.select(events).order_by(events.c.position)
    rows = _index(op.get_bind().execute(query))
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def downgrade() -> None:
    op.drop_table("term_events")
