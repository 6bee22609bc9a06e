"""The term index: which events concern which term, written in the append's transaction and
read by the portfolio question (one term in every agreement).

Events are indexed by group: a fact together with the retractions and corrections aimed at
it (and at them, and so on). Every event of a group is indexed under every term that any
version of its fact names, so reading one term's events brings whole groups, and replaying
them resolves retractions and corrections exactly as replaying the whole log does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.core.events import AMENDMENTS, Event, term_of
from tracker.core.gc_pause import paused
from tracker.core.state import Recorded
from tracker.errors import IntegrityError
from tracker.store import codec
from tracker.store.tables import events_table, term_events_table

IndexRow = tuple[str, str, int]  # term, agreement, position

_SQLITE_INSERT = "INSERT INTO term_events (term, agreement, position) VALUES (?, ?, ?)"


def index_rows(events: Iterable[tuple[int, Event]]) -> set[IndexRow]:
    """The index rows of some events, given by position: whole groups, or the rows come
    out short (the log's rule, used on append, by the migration's twin and by verify)."""
    events = list(events)
    parent = {e.id: e.target for _, e in events if isinstance(e, AMENDMENTS)}
    groups: dict[str, list[tuple[int, Event]]] = {}
    for position, event in events:
        groups.setdefault(_root(event.id, parent), []).append((position, event))
    rows: set[IndexRow] = set()
    for members in groups.values():
        terms = {t for _, e in members if (t := term_of(e)) is not None}
        rows.update((t, e.agreement, p) for t in terms for p, e in members)
    return rows


def _root(event_id: str, parent: dict[str, str]) -> str:
    """The fact a chain of retractions and corrections is aimed at (a cycle, which only a
    damaged log can hold, stops where it closes)."""
    seen = {event_id}
    while (up := parent.get(event_id)) is not None and up not in seen:
        seen.add(up)
        event_id = up
    return event_id


def add(conn: Connection, agreement: str, new: Sequence[tuple[int, Event]]) -> None:
    """Index events just inserted (in this transaction): a plain fact under its own term;
    a retraction or correction by re-indexing its whole group, which it may extend."""
    rows: list[IndexRow] = []
    targets: list[str] = []
    for position, event in new:  # one pass, no call per event: this is every append's cost
        if isinstance(event, AMENDMENTS):
            targets.append(event.target)
        elif (term := getattr(event, "term", None)) is not None:
            rows.append((term, agreement, position))
    _insert(conn, rows)
    if targets:
        group = _groups(conn, targets)
        have = _indexed(conn, [position for position, _ in group])
        _insert(conn, sorted(index_rows(group) - have))


def _insert(conn: Connection, rows: Sequence[IndexRow]) -> None:
    """Insert index rows; on SQLite straight to the driver, as the log inserts its rows."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_SQLITE_INSERT, list(rows))
    else:
        keys = ("term", "agreement", "position")
        conn.execute(term_events_table.insert(), [dict(zip(keys, r, strict=True)) for r in rows])


def _groups(conn: Connection, targets: Sequence[str]) -> list[tuple[int, Event]]:
    """Every stored event of the groups these events belong to, by position."""
    t = events_table
    roots: set[str] = set()
    seen, frontier = set(targets), set(targets)
    while frontier:  # up to the facts the chains are aimed at
        query = sa.select(t.c.id, t.c.target).where(t.c.id.in_(frontier))
        found = conn.execute(query).all()
        roots |= {i for i, target in found if target is None}
        frontier = {target for _, target in found if target is not None} - seen
        seen |= frontier
    columns = (t.c.position, t.c.payload, t.c.type, t.c.schema_version, t.c.id)
    members: dict[int, Event] = {}
    rows = conn.execute(sa.select(*columns).where(t.c.id.in_(roots))).all() if roots else []
    while rows:  # down to every retraction and correction aimed at them
        members.update((p, _decode(payload, ty, sv, p)) for p, payload, ty, sv, _ in rows)
        ids = [i for *_, i in rows]
        below = conn.execute(sa.select(*columns).where(t.c.target.in_(ids))).all()
        rows = [row for row in below if row[0] not in members]
    return sorted(members.items())


def _indexed(conn: Connection, positions: Sequence[int]) -> set[IndexRow]:
    ix = term_events_table
    query = sa.select(ix.c.term, ix.c.agreement, ix.c.position).where(ix.c.position.in_(positions))
    return {(term, agreement, position) for term, agreement, position in conn.execute(query)}


def _decode(payload: str, event_type: str, schema: int, position: int) -> Event:
    try:
        return codec.decode(payload, event_type, schema)
    except codec.UndecodableError as e:
        raise IntegrityError(
            f"the stored event at position {position} is damaged ({e}); run tracker verify"
        ) from e


_READ = (
    sa.select(
        events_table.c.agreement,
        events_table.c.payload,
        events_table.c.type,
        events_table.c.schema_version,
        events_table.c.position,
        events_table.c.version,
        events_table.c.recorded_at,
    )
    .select_from(
        term_events_table.join(
            events_table, events_table.c.position == term_events_table.c.position
        )
    )
    .where(
        term_events_table.c.term == sa.bindparam("term"),
        events_table.c.recorded_at <= sa.bindparam("known_at"),
    )
    .order_by(term_events_table.c.position)
)


def read(engine: Engine, term: str, known_at: dt.datetime) -> dict[str, list[Recorded]]:
    """The events indexed under a term and recorded by `known_at`, by agreement, in log
    order: enough to replay that term in every agreement that has ever had it."""
    logs: dict[str, list[Recorded]] = {}
    with engine.connect() as conn, paused():
        for agreement, payload, ty, sv, position, version, recorded_at in conn.execute(
            _READ, {"term": term, "known_at": known_at}
        ):
            event = _decode(payload, ty, sv, position)
            logs.setdefault(agreement, []).append(Recorded(event, position, version, recorded_at))
    return logs


def check(engine: Engine, agreement: str | None = None) -> list[str]:
    """How the stored index (of every agreement, or one) differs from the one the log
    implies, one line per row (a tampered, stale or damaged index); events that do not
    decode are verify's to name."""
    t, ix = events_table, term_events_table
    query = sa.select(t.c.position, t.c.payload, t.c.type, t.c.schema_version)
    stored_query = sa.select(ix.c.term, ix.c.agreement, ix.c.position)
    if agreement is not None:
        query = query.where(t.c.agreement == agreement)
        stored_query = stored_query.where(ix.c.agreement == agreement)
    events: list[tuple[int, Event]] = []
    with engine.connect() as conn:
        for position, payload, ty, sv in conn.execute(query):
            try:
                events.append((position, codec.decode(payload, ty, sv)))
            except codec.UndecodableError:
                continue
        stored = {(k, a, p) for k, a, p in conn.execute(stored_query)}
    expected = index_rows(events)
    missing = [f"term index: position {p} ({a}) is missing under term {k!r}"
               for k, a, p in sorted(expected - stored, key=_by_position)]  # fmt: skip
    extra = [f"term index: position {p} ({a}) is listed under term {k!r}, which the log does "
             "not give it" for k, a, p in sorted(stored - expected, key=_by_position)]  # fmt: skip
    return missing + extra


def _by_position(row: tuple[object, ...]) -> tuple[str, str]:
    return (str(row[2]).zfill(20), str(row[0]))
