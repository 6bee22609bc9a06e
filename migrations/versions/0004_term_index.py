"""The term index: which events concern which term, so that one term can be read in every
agreement without replaying every log. Built here from the events already stored.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import calendar
import datetime as dt
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


def _term(data: dict[str, Any]) -> str | None:
    """The term a stored event names (a correction: its replacement's; a creation: the empty
    pseudo-term), read from its JSON payload as every schema version writes it."""
    if data.get("type") == "event.corrected":
        data = data.get("replacement") or {}
    elif data.get("type") == "event.retracted":
        return None
    if data.get("type") == "agreement.created":
        return ""
    term = data.get("term")
    return term if isinstance(term, str) else None


def _days(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day of an EDTF date of the four forms events use."""
    if text.startswith("../"):
        return dt.date.min, dt.date.fromisoformat(text[3:])
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        return day, day
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return dt.date(int(text), 1, 1), dt.date(int(text), 12, 31)


def _index(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Every event of a group (a fact and the retractions and corrections aimed at it) under
    every term any version of the fact names, `group` when it has more than one event, else
    `set` or `fact` with its dates: the log's rule, frozen as this revision has it."""
    parent: dict[str, str] = {}
    members: dict[str, list[dict[str, Any]]] = {}
    terms: dict[str, set[str]] = {}
    for position, agreement, event_id, event_type, target, recorded_at, payload in rows:
        if target is not None and event_type in AMENDMENT_TYPES:
            parent[event_id] = target
        root, seen = event_id, {event_id}
        while (up := parent.get(root)) is not None and up not in seen:
            seen.add(up)
            root = up
        data = json.loads(payload)
        first, last = _days(str(data["effective"]))
        kind = "set" if event_type == "term.set" else "fact"
        members.setdefault(root, []).append(
            {"position": position, "agreement": agreement, "kind": kind, "first": first,
             "last": last, "recorded_at": recorded_at}
        )  # fmt: skip
        if (term := _term(data)) is not None:
            terms.setdefault(root, set()).add(term)
    return [
        {
            **member,
            "term": term,
            **({"kind": "group"} if len(members[root]) > 1 or "" in names else {}),
        }
        for root, names in terms.items()
        for term in sorted(names)
        for member in members[root]
    ]


def upgrade() -> None:
    table = op.create_table(
        "term_events",
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("agreement", sa.String(100), primary_key=True),
        sa.Column(
            "position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
        ),
        sa.Column("kind", sa.String(5), nullable=False),
        sa.Column("first", sa.Date(), nullable=False),
        sa.Column("last", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sqlite_with_rowid=False,
    )
    names = ("position", "agreement", "id", "type", "target", "recorded_at", "payload")
    events = sa.table(
        "events",
        *(sa.column(n, sa.DateTime()) if n == "recorded_at" else sa.column(n) for n in names),
    )
    query = sa.select(*(events.c[n] for n in names)).order_by(events.c.position)
    rows = _index(op.get_bind().execute(query))
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def downgrade() -> None:
    op.drop_table("term_events")
