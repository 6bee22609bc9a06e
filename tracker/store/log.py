"""The event log: appends agreements' events (and their sources) and reads them back; the
decisions about what fits are the core's (`tracker.core.rules`)."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote

import msgspec

from tracker.core.events import (
    CORRECTION_TYPES,
    CORRECTIONS,
    AgreementCreated,
    Batch,
    Event,
    EventCorrected,
    Fact,
    StoredSource,
    reference,
)
from tracker.core.snapshot import Snapshot
from tracker.core.state import AgreementState, Coverage, Recorded
from tracker.errors import (
    ConcurrencyError,
    InvalidEventError,
    NotFoundError,
    TrackerError,
)
from tracker.store import codec, snapshots, sql, urls
from tracker.store import sources as source_rows
from tracker.store.driver import CHUNK, LOCK_EVENTS, Cursor, Writer, day, moment, stored_moment
from tracker.store.spellings import refuse_misspelled

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.core import rules
    from tracker.core.in_force import Needs
    from tracker.store.replica import Replica
    from tracker.store.terms import TermLog


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
    hash: bytes  # chained to the hash of the row before it in the agreement (by version)
    position: int
    hash_version: int


_YEAR = dt.timedelta(days=366)
_AFTER_ALL = 2**62  # positions that sort the events being appended after every stored one

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The wall clock, in UTC without tzinfo (as the store keeps times)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class AppendResult(msgspec.Struct, frozen=True):
    """What an append did: events written, events already present, and the new version."""

    written: int
    skipped: int
    version: int


class Replay(msgspec.Struct, frozen=True):
    """An agreement's log as a replay that folds it as it comes reads it (see
    tracker.core.projector.replay): its retractions and corrections in log order, the facts
    the corrections target, and its other facts by the first day of their dates, then by
    position, decoded as they are read, each with its position."""

    corrections: list[Recorded]
    corrected: list[Recorded]
    facts: Iterator[tuple[Fact, int]]


class Reach(msgspec.Struct, frozen=True):
    """What a record's reach is read from: its reviews, retractions and corrections (in log
    order), and the id, written date and position of each fact that may be its latest; or
    the reach itself, as stored for a record none of those has a say in (see
    tracker.store.answers)."""

    marked: list[Recorded]
    latest: tuple[Latest, ...]
    stored: Coverage | None = None


Latest = tuple[str, str, int]  # a fact's id, its date as written, its position


class _Head(msgspec.Struct, frozen=True):
    version: int
    hash: str


class EventStore:
    """Appends events to agreements' logs and reads them back; never updates or deletes."""

    def __init__(
        self,
        engine: Engine | Callable[[], Engine],
        clock: Clock = utcnow,
        replica: Replica | None = None,
    ) -> None:
        """A store over an engine, or over a function that opens one when it is first needed
        (with `reading_sqlite`, reads never need one); with a replica, reads go there when it
        can answer (see tracker.store.replica)."""
        self._engine = engine if not callable(engine) else None
        self._open_engine = engine if callable(engine) else None
        self._sqlite: sqlite3.Connection | None = None
        self._sqlite_thread: int | None = None  # the thread that opened it, the one to use it
        self._writer = Writer(self._writer_connection)
        self.clock = clock
        self.replica = replica

    @classmethod
    def reading_sqlite(
        cls, path: Path, open_engine: Callable[[], Engine], clock: Clock = utcnow
    ) -> EventStore | None:
        """A store whose reads run on a plain sqlite3 connection to `path`, without loading
        SQLAlchemy; its engine is opened only for what else is asked of it (writes, verify).
        None when that would not be the same database as the engine would open: a file
        missing, not writable (the engine opens it read-only), not at the current schema
        (the engine migrates it) or without events (a new default gets the record)."""
        if not (path.is_file() and os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
            return None
        try:
            connection = sqlite3.connect(
                f"file:{quote(str(path.resolve()))}?mode=rw", uri=True, isolation_level=None
            )
        except sqlite3.Error:
            return None
        store = cls(open_engine, clock)
        store._sqlite, store._sqlite_thread = connection, threading.get_ident()
        try:
            connection.execute(f"PRAGMA busy_timeout = {urls.LOCK_TIMEOUT_MS}")
            revision = connection.execute("SELECT version_num FROM alembic_version").fetchall()
            usable = revision == [(urls.SCHEMA_REVISION,)] and not store.is_empty()
        except sqlite3.Error:
            usable = False
        if not usable:
            store.close()
            return None
        return store

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (opened now if the store was made without one)."""
        if self._engine is None:
            assert self._open_engine is not None
            self._engine = self._open_engine()
        return self._engine

    def close(self) -> None:
        """Close the store's connections; SQLite then checkpoints its WAL into the file."""
        self._writer.close()
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._engine is not None:
            from tracker.store.engines import dispose

            dispose(self._engine)
        if self.replica is not None:
            self.replica.engine.dispose()

    def moment(self, known_at: dt.datetime | None = None) -> dt.datetime:
        """The moment a question is answered as of: `known_at` when given, else now: the
        clock, or, read on a replica, the time of the latest commit it replayed."""
        if self.replica is None:
            return known_at or self.clock()
        return self.replica.moment(known_at, self.clock)

    @contextmanager
    def on_primary(self) -> Iterator[None]:
        """Reads in this block go to the primary, even with a replica: what a write checks
        before writing must be read where it is written."""
        if self.replica is None:
            yield
            return
        with self.replica.on_primary():
            yield

    @contextmanager
    def _reading(self) -> Iterator[Cursor]:
        """A cursor for reads: on the plain SQLite connection when there is one and this is
        the thread that opened it (sqlite3 refuses others); on the replica's when it answers;
        else on the engine's."""
        if self._sqlite is not None and threading.get_ident() == self._sqlite_thread:
            yield Cursor.of_sqlite(self._sqlite)
            return
        if self.replica is not None:
            with self.replica.reading(self.engine) as conn:
                yield Cursor.of(conn)
            return
        with self.engine.connect() as conn:
            yield Cursor.of(conn)

    def _writer_connection(self) -> object:
        from tracker.store.engines import writer_connection

        return writer_connection(self.engine)

    @contextmanager
    def _writing(self, keep: bool = True) -> Iterator[Cursor]:
        """A write transaction that holds the write lock from its first statement; rolled
        back at its end rather than committed unless `keep`. With a replica, the reads after
        a commit wait for the replica to replay it (see tracker.store.replica)."""
        with self._transaction(keep) as look:
            yield look
        if keep and self.replica is not None:
            from tracker.store.replica import WAL_POSITION

            with self.engine.connect() as conn:
                self.replica.wrote(conn.exec_driver_sql(WAL_POSITION).scalar_one())

    @contextmanager
    def _transaction(self, keep: bool) -> Iterator[Cursor]:
        """The transaction of `_writing`: on the connection the store keeps for writes when
        this thread can have it (see driver.Writer), else on one of the engine's."""
        with self._writer.transaction(keep) as look:
            if look is not None:
                yield look
                return
        with self.engine.connect().execution_options(tracker_write=True) as conn, conn.begin():
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(LOCK_EVENTS)  # see driver.BEGIN_WRITE_POSTGRESQL
            yield Cursor.of(conn)
            if not keep:
                conn.rollback()

    def append(
        self,
        agreement: str,
        events: Sequence[Event],
        expected_version: int | None = None,
        sources: Sequence[StoredSource] = (),
    ) -> AppendResult:
        """Append events to one agreement in one transaction; skip those already stored. The
        events and sources are validated first, as data from a file is (InvalidEventError)."""
        batch = _validated(Batch(agreement, events, sources))
        with self._writing() as look:
            return self._append(look, batch, expected_version)

    def rehearse(
        self, batches: Sequence[Batch], expected_version: int | None = None
    ) -> list[AppendResult]:
        """What appending the batches, one after the other, would do, without writing any:
        they are appended in one transaction that is then rolled back."""
        results = []
        batches = [_validated(batch) for batch in batches]
        with self._writing(keep=False) as look:
            for i, batch in enumerate(batches):
                try:
                    results.append(self._append(look, batch, expected_version))
                except TrackerError as e:
                    e.batch = i
                    raise
        return results

    def _append(
        self, look: Cursor, batch: Batch, expected_version: int | None = None
    ) -> AppendResult:
        from sqlalchemy.exc import IntegrityError as Duplicate

        from tracker.core.rules import decide
        from tracker.store import answers, terms

        agreement, events = batch.agreement, batch.events
        ids = list(dict.fromkeys(e.id for e in events))
        around, params = next(look.filled(sql.AROUND, ids, {"agreement": agreement}))
        version, head_hash, created, position, recorded_at, snapshot, found = look.rows(
            around, params
        )[0]
        head = _Head(version, codec.hex_of(head_hash)) if version else _Head(0, codec.GENESIS)
        if expected_version is not None and expected_version != head.version:
            raise ConcurrencyError(agreement, expected_version, head.version)
        source_rows.put(look, agreement, batch.sources)
        log = _LogInTransaction(look, agreement, created, bool(found) or len(ids) > CHUNK)
        new = decide(agreement, head.version, events, log)
        if not new:
            return AppendResult(0, len(events), head.version)
        rows = self._rows(agreement, head, new, _Tail(position or 0, moment(recorded_at)))
        try:
            _insert(look, rows)
        except Duplicate as e:  # the write lock makes this a last resort
            raise ConcurrencyError(agreement, head.version, _head(look, agreement).version) from e
        appended = [
            Recorded(e, r.position, r.version, r.recorded_at)
            for e, r in zip(new, rows, strict=True)
        ]
        answers.keep(look, agreement, appended, *terms.add(look, appended))
        before = functools.partial(_log_upto, look, agreement, head.version)
        snapshots.refresh(look, agreement, appended, snapshot, before)
        return AppendResult(len(new), len(events) - len(new), head.version + len(new))

    def _rows(self, agreement: str, head: _Head, events: Sequence[Event], tail: _Tail) -> list[Row]:
        """The rows to insert, hash-chained from the head; positions follow the last one
        stored, and recorded_at is later than any stored."""
        recorded_at = _later(self.clock(), tail.recorded_at)
        at = recorded_at.isoformat()
        rows: list[Row] = []
        prev, version, position = head.hash, head.version, tail.position
        for event in events:
            version, position = version + 1, position + 1
            payload = codec.encode(event)
            target = event.target if isinstance(event, CORRECTIONS) else None
            announced = None if event.announced is None else event.announced.first
            digest = codec.link_hash(prev, position, agreement, version, event.type,
                                     codec.SCHEMA_VERSION, target, at, payload)  # fmt: skip
            rows.append(
                Row(event.id, agreement, version, event.type, codec.SCHEMA_VERSION,
                    event.effective.first, announced, target, recorded_at, payload,
                    bytes.fromhex(digest), position, codec.HASH_VERSION)
            )  # fmt: skip
            prev = digest
        return rows

    def version(self, agreement: str) -> int:
        """The agreement's current version (0 when it has no events)."""
        with self._reading() as look:
            return _head(look, agreement).version

    def read(
        self,
        agreement: str,
        until: dt.date | None = None,
        known_at: dt.datetime | None = None,
    ) -> list[Recorded]:
        """The agreement's events in log order: those effective by `until` (plus every
        retraction and correction and what they target), recorded by `known_at`."""
        statement = sql.read_sql(until is not None, known_at is not None)
        params = {"agreement": agreement, "until": until, "known_at": known_at}
        with self._reading() as look:
            if until is not None or known_at is not None:
                refuse_misspelled(look, agreement)
            return codec.stored_records(look.rows(statement, params))

    def read_reach(self, agreement: str, known_at: dt.datetime) -> Reach:
        """What the reach of the agreement's record as known at `known_at` reads (see
        `sql.REVIEWS`, `sql.MARKED`): a few indexed rows, and the log's events decoded only
        when they are reviews, retractions or corrections."""
        params = {"agreement": agreement}
        with self._reading() as look:
            refuse_misspelled(look, agreement)
            found = look.rows(sql.MARKED, params)
            marked = [r for r in codec.stored_records(found) if r.recorded_at <= known_at]
            return Reach(sorted(marked, key=_position), _latest(look, agreement, known_at))

    def read_reaches(self, agreements: Sequence[str], known_at: dt.datetime) -> dict[str, Reach]:
        """`read_reach` of each agreement, on one cursor: from the stored reach of those that
        have one and took no event after `known_at` (see tracker.store.answers: all of them
        as known now, nearly all as known a moment ago while a writer appends); for the
        others, their reviews, retractions and corrections in two statements, then two
        indexed lookups each."""
        from tracker.store import answers

        with self._reading() as look:
            refuse_misspelled(look, None)
            last = look.rows(sql.TERM_LATEST, {})
            since = _appended_since(look, known_at, last[0]) if last else None
            current = [a for a in agreements if a not in since] if since is not None else []
            stored = answers.reached(look, current, last[0][0]) if current else {}
            reaches = {a: Reach([], (), reach) for a, reach in stored.items()}
            marked: dict[str, list[Recorded]] = {a: [] for a in agreements if a not in stored}
            if not marked:
                return reaches
            found = [
                *look.among(sql.REVIEWS_AMONG, list(marked)),
                *look.rows(sql.ALL_RETRACTIONS, {}),
            ]
            for record in codec.stored_records(found):
                if record.event.agreement in marked and record.recorded_at <= known_at:
                    marked[record.event.agreement].append(record)
            return reaches | {a: Reach(sorted(m, key=_position), _latest(look, a, known_at))
                              for a, m in marked.items()}  # fmt: skip

    def snapshot(self, agreement: str) -> None:
        """Write the agreement's snapshot at its current version (see `snapshots`)."""
        with self._writing() as look:
            snapshots.rebuild(look, agreement, _whole_log(look, agreement))

    @contextmanager
    def read_for_state(
        self, agreement: str, as_of: dt.date, known_at: dt.datetime
    ) -> Iterator[tuple[Snapshot, list[Recorded]] | Replay]:
        """What the agreement's state on `as_of` as known at `known_at` reads: its snapshot
        and the events after it, when a snapshot can answer; else the log as a replay reads it
        (see `replaying`). On one cursor: a short log pays one indexed lookup for looking."""
        with self._reading() as look:
            refuse_misspelled(look, agreement)
            found = snapshots.for_state(look, agreement, as_of, known_at)
            yield found if found is not None else _replay(look, agreement, as_of, known_at)

    def state(self, agreement: str, as_of: dt.date, known_at: dt.datetime) -> AgreementState:
        """The agreement's state on `as_of` as known at `known_at`, by the cheapest read that
        gives it: the snapshot and the events after it when a snapshot can answer, else the
        log replayed as it is read (the fold is the core's either way)."""
        from tracker.core.projector import replay
        from tracker.core.snapshot import state_from

        with self.read_for_state(agreement, as_of, known_at) as read:
            if isinstance(read, Replay):
                return replay(
                    agreement, read.corrections, read.corrected, read.facts, as_of, known_at
                )
            state = state_from(*read, as_of, known_at)
            if state is not None:
                return state
        with self.replaying(agreement, as_of, known_at) as log:
            return replay(agreement, log.corrections, log.corrected, log.facts, as_of, known_at)

    @contextmanager
    def replaying(self, agreement: str, until: dt.date, known_at: dt.datetime) -> Iterator[Replay]:
        """The agreement's events effective by `until` and recorded by `known_at`, as a replay
        that folds them as they come reads them: the log is never held whole."""
        with self._reading() as look:
            refuse_misspelled(look, agreement)
            yield _replay(look, agreement, until, known_at)

    def read_term(self, term: str, as_of: dt.date, known_at: dt.datetime) -> dict[str, TermLog]:
        """The events of every agreement that replaying one term on `as_of`, as known at
        `known_at`, needs (see tracker.store.terms), by agreement, in log order."""
        from tracker.store import terms

        with self._reading() as look:
            refuse_misspelled(look, None)
            return terms.read(look, term, as_of, known_at)

    def term_keys(self, agreement: str | None, known_at: dt.datetime | None) -> list[str]:
        """The term keys the events of the agreement (or of every agreement) recorded by
        `known_at` name, sorted: read from the term index, not the log."""
        from tracker.store import terms

        with self._reading() as look:
            if known_at is not None:
                refuse_misspelled(look, agreement)
            return terms.keys(look, agreement, known_at)

    def read_all(self, after: int = 0, limit: int = 1000) -> list[Recorded]:
        """Events of every agreement with a position above `after`, in position order: what a
        reader following the log asks for. Positions commit in order, so none is skipped."""
        with self._reading() as look:
            return codec.stored_records(look.rows(sql.AFTER, {"after": after, "limit": limit}))

    def agreements(self) -> list[str]:
        """The ids of the agreements in the store, sorted."""
        with self._reading() as look:
            return sorted(agreement for (agreement,) in look.rows(sql.AGREEMENTS, {}))

    def created(self) -> list[AgreementCreated]:
        """The agreement.created event of every agreement, by agreement id."""
        with self._reading() as look:
            events = [
                codec.stored_event(p, ty, sv, pos)
                for p, ty, sv, pos in look.rows(sql.CREATIONS, {})
            ]
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
        with self._reading() as look:
            return source_rows.read(look, agreement)

    def agreements_of(self, event_id: str) -> list[str]:
        """The agreements holding an event of this id (ids are unique within an agreement),
        sorted."""
        with self._reading() as look:
            return [str(a) for (a,) in look.rows(sql.AGREEMENTS_OF, {"id": event_id})]

    def holds(self, agreement: str, event_id: str) -> bool:
        """Whether the agreement holds an event of this id."""
        with self._reading() as look:
            return bool(look.rows(sql.HOLDS, {"agreement": agreement, "id": event_id}))

    def is_empty(self) -> bool:
        """True when no event has been stored yet."""
        with self._reading() as look:
            return not look.rows(sql.ANY, {})


def _replay(look: Cursor, agreement: str, until: dt.date, known_at: dt.datetime) -> Replay:
    """The log as `Replay` reads it, its facts still to be fetched from the cursor."""
    last = look.rows(sql.LAST, {"agreement": agreement})
    upto = last[0][0] if last else 0
    params = {"agreement": agreement, "until": until, "known_at": known_at, "upto": upto}
    types = ", ".join(f"'{t}'" for t in CORRECTION_TYPES)
    statement = sql.REPLAY_CORRECTIONS.format(types=types)
    corrections = sorted(codec.stored_records(look.rows(statement, params)), key=_position)
    targets = [r.event.target for r in corrections if isinstance(r.event, EventCorrected)]
    by_id = look.among(sql.BY_ID, list(dict.fromkeys(targets)), {"agreement": agreement})
    found = codec.stored_records(by_id)
    corrected = [r for r in found if r.recorded_at <= known_at and r.position <= upto]
    chunks = look.stream(sql.FACTS.format(types=types), params, settled=True)  # up to `upto`
    # With no retraction or correction in it, a term.set a later one replaces is not decoded.
    return Replay(corrections, corrected, codec.stored_facts(chunks, skip_replaced=not corrections))


def _appended_since(look: Cursor, known_at: dt.datetime, last: tuple[Any, ...]) -> set[str] | None:
    """The agreements that took an event recorded after `known_at` (`last`: the log's last
    position and recorded_at), read back from the end of the log (recorded_at grows with
    position); None when more than `_SINCE_AT_MOST` events were (a question about the past).
    """
    found: set[str] = set()
    if moment(last[1]) <= known_at:
        return found
    before = last[0] + 1
    for _ in range(_SINCE_AT_MOST // _SINCE_STEP):
        rows = look.rows(sql.RECORDED_BEFORE, {"before": before, "limit": _SINCE_STEP})
        for position, agreement, recorded_at in rows:
            if moment(recorded_at) <= known_at:
                return found
            found.add(agreement)
            before = position
        if len(rows) < _SINCE_STEP:
            return found
    return None


_SINCE_STEP, _SINCE_AT_MOST = 100, 10_000


def _latest(look: Cursor, agreement: str, known_at: dt.datetime) -> tuple[Latest, ...]:
    """The id, written date and position of each fact of the agreement that may be its
    latest (see `sql.STARTS_LAST`)."""
    dialect = sql.DIALECT[look.sqlite]
    params: dict[str, object] = {"agreement": agreement, "known_at": known_at}
    last = look.rows(sql.STARTS_LAST.format(**dialect), params)
    if not last:
        return ()
    (id_, written, position, effective) = last[0]
    start = day(effective)
    since = start - _YEAR if start > dt.date.min + _YEAR else dt.date.min
    params |= {"start": start, "since": since, "open": dt.date.min}
    imprecise = look.rows(sql.IMPRECISE.format(**dialect), params)
    return tuple((str(i), str(w), int(p)) for i, w, p in [(id_, written, position), *imprecise])


def _position(record: Recorded) -> int:
    return record.position


def _insert(look: Cursor, rows: list[Row]) -> None:
    """Insert event rows, straight to the driver (SQLAlchemy's per-row parameter processing
    costs more than the insert itself); on SQLite, with dates written as SQLAlchemy's Date and
    DateTime types store them."""
    if not look.sqlite:
        look.copy("events", Row._fields, rows)
        return
    written = stored_moment(rows[0].recorded_at)  # one for the whole batch
    look.insert(sql.EVENTS_INSERT_SQLITE, [_sqlite_row(row, written) for row in rows])


def _sqlite_row(row: Row, written: str) -> tuple[object, ...]:
    """A row with its dates as text, in the format SQLAlchemy's SQLite types store."""
    effective, announced = row.effective.isoformat(), _day(row.announced)
    return (row.id, row.agreement, row.version, row.type, row.schema_version, effective,
            announced, row.target, written, row.payload, row.hash, row.position,
            row.hash_version)  # fmt: skip


class _Tail(msgspec.Struct, frozen=True):
    """The last position and the latest recorded_at in the whole database."""

    position: int
    recorded_at: dt.datetime | None


def _later(now: dt.datetime, last: dt.datetime | None) -> dt.datetime:
    """`now`, or a microsecond after `last` when the clock has not moved past it: recorded_at
    strictly increases from one append to the next, whatever the clock does."""
    if last is None or now > last:
        return now
    return last + dt.timedelta(microseconds=1)


def _day(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else None


def _head(look: Cursor, agreement: str) -> _Head:
    rows = look.rows(sql.HEAD, {"agreement": agreement})
    return _Head(rows[0][0], codec.hex_of(rows[0][1])) if rows else _Head(0, codec.GENESIS)


def _stored_events(look: Cursor, agreement: str, ids: Sequence[str]) -> dict[str, Event]:
    """The agreement's stored events with these ids."""
    return {
        id_: codec.stored_event(payload, type_, schema, repr(id_), "id")
        for id_, payload, type_, schema in look.among(sql.STORED, ids, {"agreement": agreement})
    }


def _whole_log(look: Cursor, agreement: str) -> list[Recorded]:
    """Every event of the agreement, in log order."""
    return codec.stored_records(look.rows(sql.read_sql(False, False), {"agreement": agreement}))


def _log_upto(look: Cursor, agreement: str, version: int) -> list[Recorded]:
    """The agreement's events up to a version, in log order."""
    params = {"agreement": agreement, "version": version}
    return codec.stored_records(look.rows(sql.SNAPSHOT_LOG_UPTO, params))


def _known_references(
    look: Cursor, agreement: str, events: Sequence[Event]
) -> dict[str, rules.Known]:
    """What the agreement's log holds of the events these events refer to."""
    wanted = [ref for e in events if (ref := reference(e)) is not None]
    from tracker.core.rules import Known

    found = look.among(sql.KNOWN, wanted, {"agreement": agreement})
    return {i: Known(ty, day(eff)) for i, ty, eff in found}


class _LogInTransaction:
    """The agreement's log as the rules ask of it (tracker.core.rules.Log), read on the
    append's cursor: what another writer committed before the write lock was taken is seen."""

    def __init__(self, look: Cursor, agreement: str, created: object, found: bool) -> None:
        self._look, self._agreement = look, agreement
        self._created = day(created) if created else None
        self._found = found  # whether some id of the batch is stored (else none need reading)

    def stored(self, ids: Sequence[str]) -> dict[str, Event]:
        return _stored_events(self._look, self._agreement, ids) if self._found else {}

    def references(self, events: Sequence[Event]) -> dict[str, rules.Known]:
        return _known_references(self._look, self._agreement, events)

    def created(self) -> dt.date | None:
        return self._created

    def whole(self) -> list[Recorded]:
        return _whole_log(self._look, self._agreement)

    def presence(self, wanted: Mapping[str, Needs]) -> list[Recorded]:
        from tracker.store import terms

        return terms.presence(self._look, self._agreement, wanted)

    def group_terms(self, event: Event) -> set[str]:
        from tracker.store import terms

        return terms.group_terms(self._look, event)

    def terms(self) -> set[str]:
        from tracker.store import terms

        return set(terms.keys(self._look, self._agreement, None))

    def sources(self, ids: Sequence[str]) -> dict[str, StoredSource]:
        found = source_rows.read_cited(self._look, self._agreement, ids)
        return {s.source.id: s for s in found}


def _validated(batch: Batch) -> Batch:
    """A batch validated at the edge (pydantic): what is appended is what a file may hold."""
    from tracker.core import validation
    from tracker.core.wording import describe

    try:
        return validation.batch(batch)
    except validation.ValidationError as e:
        raise InvalidEventError(describe(e)) from e
