"""Tamper evidence: recompute each agreement's hash chain and name the first broken link."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.errors import IntegrityError
from tracker.store import codec
from tracker.store.tables import events_table


def verify(engine: Engine, agreement: str | None = None) -> int:
    """Recompute every hash chain (or one agreement's); return how many events were checked.

    Raises IntegrityError naming the first broken link: event id, position and what differs.
    """
    t = events_table
    query = sa.select(t).order_by(t.c.agreement, t.c.version)
    if agreement is not None:
        query = query.where(t.c.agreement == agreement)
    checked = 0
    previous: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for row in conn.execute(query).mappings():
            version, prev = previous.get(row["agreement"], (0, codec.GENESIS))
            problem = _link_problem(row, version, prev)
            if problem is not None:
                raise IntegrityError(
                    f"agreement {row['agreement']!r}: event {row['id']!r} "
                    f"(position {row['position']}, version {row['version']}): {problem}"
                )
            previous[row["agreement"]] = (row["version"], row["hash"])
            checked += 1
    return checked


def _link_problem(row: sa.RowMapping, version: int, prev: str) -> str | None:
    """What is wrong with one stored event, given the link before it; None when nothing."""
    if row["version"] != version + 1:
        return f"version follows {version}: a gap or a duplicate"
    if row["prev_hash"] != prev:
        return "prev_hash is not the hash of the event before it"
    digest = codec.chain_hash(
        prev, row["agreement"], row["version"], row["recorded_at"], row["payload"]
    )
    if digest != row["hash"]:
        return "hash differs from the recomputed hash: the row was changed"
    try:
        event = codec.decode(row["payload"], row["type"], row["schema_version"])
    except ValueError as e:
        return f"payload no longer decodes ({str(e).splitlines()[0]})"
    columns = {
        "id": event.id,
        "agreement": event.agreement,
        "type": event.type,
        "effective": event.effective.first,
        "announced": None if event.announced is None else event.announced.first,
    }
    for name, value in columns.items():
        if row[name] != value:
            return f"column {name} ({row[name]!r}) differs from the payload ({value!r})"
    return None
