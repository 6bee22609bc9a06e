"""The event log: appends agreements' events (and their sources) and reads them back; the
decisions about what fits are the core's (`tracker.core.rules`)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from tracker.core import placement, rules
from tracker.core.events import (
    AMENDMENT_TYPES,
    AMENDMENTS,
    AgreementCreated,
    Batch,
    Event,
    StoredSource,
    reference,
)
from tracker.core.gc_pause import paused
from tracker.core.state import Recorded
from tracker.errors import (
    ConcurrencyError,
    IntegrityError,
    NotFoundError,
    TrackerError,
)
from tracker.store import codec
from tracker.store import sources as source_rows
from tracker.store.tables import events_table


class Row(NamedTuple):
    """One events row to insert; its position follows the last one stored, under the lock."""

    id: str
    agreement: str
    version: int
    type: str
    schema_version: int
    effective: dt.date
    announced: dt.date | None
    target: str | None
    recorded_at: dt.datetime
    payload: str
    prev_hash: str
    hash: str
    position: int
    hash_version: int


_INSERT = f"INSERT INTO events ({', '.join(Row._fields)}) VALUES ({{}})"
_SQLITE_INSERT = _INSERT.format(", ".join("?" * len(Row._fields)))
_POSTGRESQL_INSERT = _INSERT.format(", ".join(["%s"] * len(Row._fields)))
# The append's lookups, in SQL both databases take, run on the driver's own cursor: through
# SQLAlchemy's execution layer they cost more than the durable commit of a single event.
# The last row by position (the primary key's index, not a scan): recorded_at increases with
# position, so its recorded_at is the latest.
_TAIL = "SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1"
_HEAD = (
    "SELECT version, hash FROM events WHERE agreement = :agreement ORDER BY version DESC LIMIT 1"
)
_CREATED = "SELECT effective FROM events WHERE agreement = :agreement AND version = 1"
_STORED = "SELECT id, payload, type, schema_version FROM events WHERE id IN ({ids})"
_KNOWN = "SELECT id, agreement, type, effective FROM events WHERE id IN ({ids})"
_AFTER_ALL = 2**62  # positions that sort the events being appended after every stored one

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The wall clock, in UTC without tzinfo (as the store keeps times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: events written, events already present, and the new version."""

    written: int
    skipped: int
    version: int


@dataclass(frozen=True, slots=True)
class _Head:
    version: int
    hash: str


class EventStore:
    """Appends events to agreements' logs and reads them back; never updates or deletes."""

    def __init__(self, engine: Engine, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """A write transaction that holds the write lock from its first statement."""
        with self.engine.connect().execution_options(tracker_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                # One writer at a time: positions then commit in order, so a reader
                # following the position never skips an event that commits late.
                conn.execute(sa.text("LOCK TABLE events IN EXCLUSIVE MODE"))
            yield conn

    def append(
        self,
        agreement: str,
        events: Sequence[Event],
        expected_version: int | None = None,
        sources: Sequence[StoredSource] = (),
    ) -> AppendResult:
        """Append events to one agreement in one transaction; skip those already stored."""
        with self._writing() as conn:
            return self._append(conn, Batch(agreement, events, sources), expected_version)

    def rehearse(
        self, batches: Sequence[Batch], expected_version: int | None = None
    ) -> list[AppendResult]:
        """What appending the batches, one after the other, would do, without writing any:
        they are appended in one transaction that is then rolled back."""
        results = []
        with self._writing() as conn:
            for i, batch in enumerate(batches):
                try:
                    results.append(self._append(conn, batch, expected_version))
                except TrackerError as e:
                    e.batch = i
                    raise
            conn.rollback()
        return results

    def _append(
        self, conn: Connection, batch: Batch, expected_version: int | None = None
    ) -> AppendResult:
        agreement, events = batch.agreement, batch.events
        look = _Lookups(conn)
        head = _head(look, agreement)
        if expected_version is not None and expected_version != head.version:
            raise ConcurrencyError(agreement, expected_version, head.version)
        source_rows.put(conn, agreement, batch.sources)
        stored = _stored_events(look, list(dict.fromkeys(e.id for e in events)))
        new = rules.new_events(agreement, events, stored)
        rules.check_all_fit(agreement, head.version, new, _known_references(look, new))
        _check_placement(conn, look, agreement, head.version, new)
        rows = self._rows(agreement, head, new, _tail(look))
        if rows:
            try:
                _insert(look, rows)
            except sa.exc.IntegrityError as e:  # the write lock makes this a last resort
                raise ConcurrencyError(
                    agreement, head.version, _head(look, agreement).version
                ) from e
        return AppendResult(len(new), len(events) - len(new), head.version + len(new))

    def _rows(self, agreement: str, head: _Head, events: Sequence[Event], tail: _Tail) -> list[Row]:
        """The rows to insert, hash-chained from the head; positions follow the last one
        stored, and recorded_at is later than any stored."""
        recorded_at = _later(self.clock(), tail.recorded_at)
        moment = recorded_at.isoformat()
        rows: list[Row] = []
        prev, version, position = head.hash, head.version, tail.position
        for event in events:
            version, position = version + 1, position + 1
            payload = codec.encode(event)
            target = event.target if isinstance(event, AMENDMENTS) else None
            announced = None if event.announced is None else event.announced.first
            digest = codec.link_hash(prev, position, agreement, version, event.type,
                                     codec.SCHEMA_VERSION, target, moment, payload)  # fmt: skip
            rows.append(
                Row(event.id, agreement, version, event.type, codec.SCHEMA_VERSION,
                    event.effective.first, announced, target, recorded_at, payload, prev, digest,
                    position, codec.HASH_VERSION)
            )  # fmt: skip
            prev = digest
        return rows

    def version(self, agreement: str) -> int:
        """The agreement's current version (0 when it has no events)."""
        with self.engine.connect() as conn:
            return _head(_Lookups(conn), agreement).version

    def read(
        self,
        agreement: str,
        until: dt.date | None = None,
        known_at: dt.datetime | None = None,
    ) -> list[Recorded]:
        """The agreement's events in log order: those effective by `until` (plus every
        retraction and correction and what they target), recorded by `known_at`."""
        sql = _read_sql(until is not None, known_at is not None)
        params = {"agreement": agreement, "until": until, "known_at": known_at}
        with self.engine.connect() as conn, paused():
            return [_recorded(*row) for row in _Lookups(conn).rows(sql, params)]

    def read_all(self, after: int = 0, limit: int = 1000) -> list[Recorded]:
        """Events of every agreement with a position above `after`, in position order: what a
        reader following the log asks for. Positions commit in order, so none is skipped."""
        t = events_table
        query = sa.select(*_COLUMNS).where(t.c.position > after).order_by(t.c.position).limit(limit)
        with self.engine.connect() as conn, paused():
            return [_recorded(*row) for row in conn.execute(query).all()]

    def agreements(self) -> list[str]:
        """The ids of the agreements in the store, sorted."""
        t = events_table
        query = sa.select(t.c.agreement).where(t.c.type == "agreement.created")
        with self.engine.connect() as conn:
            return sorted(conn.execute(query.distinct()).scalars())

    def created(self) -> list[AgreementCreated]:
        """The agreement.created event of every agreement, by agreement id."""
        t = events_table
        query = sa.select(t.c.payload, t.c.type, t.c.schema_version, t.c.position).where(
            t.c.type == "agreement.created"
        )
        with self.engine.connect() as conn:
            events = [_decode(p, ty, sv, pos) for p, ty, sv, pos in conn.execute(query)]
        return sorted(
            (e for e in events if isinstance(e, AgreementCreated)), key=lambda e: e.agreement
        )

    def require(self, agreement: str) -> None:
        """Raise NotFoundError unless the agreement has events."""
        if self.version(agreement) == 0:
            known = ", ".join(self.agreements()) or "none"
            raise NotFoundError(f"no agreement {agreement!r} (agreements: {known})")

    def sources(self, agreement: str) -> list[StoredSource]:
        """The agreement's sources, by id."""
        with self.engine.connect() as conn:
            return source_rows.read(conn, agreement)

    def agreement_of(self, event_id: str) -> str:
        """The agreement an event belongs to."""
        query = sa.select(events_table.c.agreement).where(events_table.c.id == event_id)
        with self.engine.connect() as conn:
            agreement = conn.execute(query).scalar()
        if agreement is None:
            raise NotFoundError(f"no event {event_id!r}")
        return str(agreement)

    def is_empty(self) -> bool:
        """True when no event has been stored yet."""
        with self.engine.connect() as conn:
            return conn.execute(sa.select(events_table.c.position).limit(1)).first() is None


_COLUMNS = (
    events_table.c.payload,
    events_table.c.type,
    events_table.c.schema_version,
    events_table.c.position,
    events_table.c.version,
    events_table.c.recorded_at,
)


@functools.cache
def _read_sql(until: bool, known_at: bool) -> str:
    """The statement reading one agreement, by shape: by version (which the unique index
    orders), optionally up to a date (plus every retraction and correction and what they
    target) and as known at a moment."""
    sql = f"SELECT {_READ_COLUMNS} FROM events WHERE agreement = :agreement"
    if until:
        amendments = ", ".join(f"'{t}'" for t in AMENDMENT_TYPES)
        sql += (
            f" AND (effective <= :until OR type IN ({amendments}) OR id IN (SELECT target"
            " FROM events WHERE agreement = :agreement AND type = 'event.corrected'))"
        )
    if known_at:
        sql += " AND recorded_at <= :known_at"
    return sql + " ORDER BY version"


_READ_COLUMNS = ", ".join(c.name for c in _COLUMNS)


def _recorded(
    payload: str, type_: str, schema: int, position: int, version: int, recorded_at: Any
) -> Recorded:
    event = _decode(payload, type_, schema, position)
    return Recorded(event, position, version, _moment(recorded_at))  # type: ignore[arg-type]


def _decode(payload: str, type_: str, schema: int, where: object, key: str = "position") -> Event:
    """The stored event; a damaged row is one line naming it (by `key` = `where`)."""
    try:
        return codec.decode(payload, type_, schema, verify=False)
    except codec.UndecodableError as e:
        raise IntegrityError(
            f"the stored event at {key} {where} is damaged ({e}); run tracker verify"
        ) from e


class _Lookups:
    """Statements run straight on the driver's cursor, in the connection's transaction: the
    reads of a log and the lookups of an append cost less than SQLAlchemy's execution layer
    would add to them. The SQL is written with `:name` parameters (PostgreSQL's driver takes
    `%(name)s`); driver errors are raised as SQLAlchemy's, as the rest of the store's are."""

    def __init__(self, conn: Connection) -> None:
        self.cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self.sqlite = conn.dialect.name == "sqlite"
        self.errors: type[Exception] = conn.dialect.loaded_dbapi.Error

    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows a statement returns."""
        if self.sqlite:  # dates as the text SQLAlchemy's SQLite types write
            params = {k: _sqlite_value(v) for k, v in params.items()}
        else:
            sql = _PARAM.sub(r"%(\1)s", sql)
        with self.translated(sql, params):
            self.cursor.execute(sql, params)
            return list(self.cursor.fetchall())

    def insert(self, sql: str, rows: Sequence[tuple[object, ...]]) -> None:
        """Insert rows (positional parameters, in the driver's style)."""
        with self.translated(sql, rows):
            self.cursor.executemany(sql, rows)

    @contextmanager
    def translated(self, sql: str, params: Any) -> Iterator[None]:
        """Driver errors raised as SQLAlchemy's (IntegrityError, OperationalError...)."""
        try:
            yield
        except self.errors as e:
            raise sa.exc.DBAPIError.instance(sql, params, e, self.errors) from e

    def among(self, sql: str, ids: Sequence[str]) -> list[tuple[Any, ...]]:
        """The rows of a statement whose `{ids}` is filled with these ids, in chunks."""
        found = []
        for chunk in _chunks(ids):
            names = {f"i{n}": id_ for n, id_ in enumerate(chunk)}
            found += self.rows(sql.format(ids=", ".join(f":{n}" for n in names)), names)
        return found


_PARAM = re.compile(r":(\w+)")


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, dt.date) else value


def _date(value: Any) -> dt.date:
    """A date column's value: SQLite hands back the text SQLAlchemy's Date type wrote."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _moment(value: Any) -> dt.datetime | None:
    """A DateTime column's value, from SQLite's text as from PostgreSQL's datetime."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def _insert(look: _Lookups, rows: list[Row]) -> None:
    """Insert event rows, straight to the driver (SQLAlchemy's per-row parameter processing
    costs more than the insert itself); on SQLite, with dates written as SQLAlchemy's Date and
    DateTime types store them."""
    if not look.sqlite:
        look.insert(_POSTGRESQL_INSERT, rows)
        return
    moment = rows[0].recorded_at.strftime("%Y-%m-%d %H:%M:%S.%f")  # one for the whole batch
    look.insert(_SQLITE_INSERT, [_sqlite_row(row, moment) for row in rows])


def _sqlite_row(row: Row, moment: str) -> tuple[object, ...]:
    """A row with its dates as text, in the format SQLAlchemy's SQLite types store."""
    effective, announced = row.effective.isoformat(), _day(row.announced)
    return (row.id, row.agreement, row.version, row.type, row.schema_version, effective,
            announced, row.target, moment, row.payload, row.prev_hash, row.hash, row.position,
            row.hash_version)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Tail:
    """The last position and the latest recorded_at in the whole database."""

    position: int
    recorded_at: dt.datetime | None


def _tail(look: _Lookups) -> _Tail:
    rows = look.rows(_TAIL, {})
    return _Tail(rows[0][0], _moment(rows[0][1])) if rows else _Tail(0, None)


def _later(now: dt.datetime, last: dt.datetime | None) -> dt.datetime:
    """`now`, or a microsecond after `last` when the clock has not moved past it: recorded_at
    strictly increases from one append to the next, whatever the clock does."""
    if last is None or now > last:
        return now
    return last + dt.timedelta(microseconds=1)


def _day(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _head(look: _Lookups, agreement: str) -> _Head:
    rows = look.rows(_HEAD, {"agreement": agreement})
    return _Head(*rows[0]) if rows else _Head(0, codec.GENESIS)


def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _stored_events(look: _Lookups, ids: Sequence[str]) -> dict[str, Event]:
    """The stored events with these ids."""
    return {
        id_: _decode(payload, type_, schema, repr(id_), "id")
        for id_, payload, type_, schema in look.among(_STORED, ids)
    }


def _check_placement(
    conn: Connection, look: _Lookups, agreement: str, version: int, new: list[Event]
) -> None:
    """The rules of the whole log (see tracker.core.placement): the cheap one (nothing dated
    before the creation) for plain facts; the log read whole when an event can break more."""
    if not new:
        return
    if not placement.needs_whole_log(new):
        rows = look.rows(_CREATED, {"agreement": agreement})
        placement.check_not_before(_date(rows[0][0]) if rows else None, new)
        return
    existing = [
        _recorded(*row) for row in look.rows(_read_sql(False, False), {"agreement": agreement})
    ]
    later = [
        Recorded(event, _AFTER_ALL + n, version + n + 1, dt.datetime.max)
        for n, event in enumerate(new)
    ]
    placement.check_whole_log(existing, later)


def _known_references(look: _Lookups, events: Sequence[Event]) -> dict[str, rules.Known]:
    """What the log holds of the events these events refer to."""
    wanted = [ref for e in events if (ref := reference(e)) is not None]
    return {i: rules.Known(a, ty, _date(eff)) for i, a, ty, eff in look.among(_KNOWN, wanted)}
