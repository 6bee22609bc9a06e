"""Stored answers of `tracker terms`: per term and agreement, the term.set that alone answers
the term from its day on (`term_latest`), and per agreement, the fact its record reaches to
(`reaches`), so that one term across many agreements reads a row each rather than replaying.
Built here from the term index and the events already stored.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

BATCH = 10_000
NEVER = dt.date.max.toordinal() + 1
MARKS = ("event.retracted", "event.corrected", "record.reviewed")
# Per database: whether a term.set's payload has no expiry, and an event's written date.
NO_EXPIRY = {
    "sqlite": "json_extract(e.payload, '$.expires') IS NULL",
    "postgresql": "(CAST(e.payload AS json) ->> 'expires') IS NULL",
}
WRITTEN = {
    "sqlite": "json_extract(payload, '$.effective')",
    "postgresql": "CAST(payload AS json) ->> 'effective'",
}


Answer = tuple[Any, Any, int]  # the term.set's position and day (None: replayed), the reach


def _step(
    latest: Answer | None, position: int, kind: str, first: int, last: int, lasting: bool
) -> Answer:
    """A term's stored answer after one more of its index rows, in log order: the rule of
    tracker.store.answers.step, frozen as this revision has it."""
    reach = NEVER if kind == "group" else last
    answers = kind == "set" and first == last and lasting
    if latest is None:
        return (position, first, 0) if answers else (None, None, reach)
    at, day, before = latest
    if at is None or day is None:
        if answers and before <= first:
            return position, first, before
        return None, None, max(before, reach)
    if answers and first >= day:
        return position, first, max(before, day)
    if reach < day:
        return at, day, max(before, reach)
    return None, None, max(before, day, reach)


def _last_day(text: str) -> int:
    """The last day of an EDTF date of the four forms events use, as a day number."""
    if text.startswith("../"):
        return dt.date.fromisoformat(text[3:]).toordinal()
    if len(text) == 10:
        return dt.date.fromisoformat(text).toordinal()
    if len(text) == 7:
        year, month = int(text[:4]), int(text[5:])
        return dt.date(year, month, calendar.monthrange(year, month)[1]).toordinal()
    return dt.date(int(text), 12, 31).toordinal()


def _latest(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """The stored answers the term index gives (rows by position)."""
    found: dict[tuple[str, str], Answer] = {}
    for term, agreement, position, kind, first, last, lasting in rows:
        key = (term, agreement)
        found[key] = _step(found.get(key), position, kind, first, last, bool(lasting))
    return [
        {"term": term, "agreement": agreement, "position": p, "day": d, "reach": r}
        for (term, agreement), (p, d, r) in found.items()
    ]


def _reaches(rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Each agreement's latest fact by the last day of its date, then by position; None
    once a review, a retraction or a correction has a say (rows by position)."""
    found: dict[str, tuple[int, int] | None] = {}
    for agreement, position, event_type, written in rows:
        if event_type in MARKS:
            found[agreement] = None
            continue
        here = (_last_day(str(written)), position)
        if agreement not in found:
            found[agreement] = here
        elif (before := found[agreement]) is not None:
            found[agreement] = max(before, here)
    return [
        {"agreement": agreement, "position": None if r is None else r[1],
         "day": None if r is None else r[0]}
        for agreement, r in found.items()
    ]  # fmt: skip


def _insert(table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        op.bulk_insert(table, rows[start : start + BATCH])


def upgrade() -> None:
    position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    latest = op.create_table(
        "term_latest",
        sa.Column("term", sa.String(100), primary_key=True),
        sa.Column("agreement", sa.String(100), primary_key=True),
        sa.Column("position", position, nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sa.Column("reach", sa.Integer(), nullable=False),
        sqlite_with_rowid=False,
    )
    reaches = op.create_table(
        "reaches",
        sa.Column("agreement", sa.String(100), primary_key=True),
        sa.Column("position", position, nullable=True),
        sa.Column("day", sa.Integer(), nullable=True),
        sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    dialect = bind.dialect.name
    lasting = f"CASE WHEN x.kind = 'set' AND x.first = x.last THEN {NO_EXPIRY[dialect]} END"
    indexed = bind.exec_driver_sql(
        f"SELECT x.term, x.agreement, x.position, x.kind, x.first, x.last, {lasting}"
        " FROM term_events AS x JOIN events AS e ON e.position = x.position"
        " WHERE x.term <> '' ORDER BY x.position"
    )
    _insert(latest, _latest(indexed))
    events = bind.exec_driver_sql(
        f"SELECT agreement, position, type, {WRITTEN[dialect]} FROM events ORDER BY position"
    )
    _insert(reaches, _reaches(events))


def downgrade() -> None:
    op.drop_table("reaches")
    op.drop_table("term_latest")
