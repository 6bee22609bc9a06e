"""Statements run straight on a database driver's cursor: the reads of a log and the lookups
of an append cost less than SQLAlchemy's execution layer would add to them, and a read of a
SQLite file needs no SQLAlchemy at all. SQL is written with `:name` parameters, which
PostgreSQL's driver takes as `%(name)s`; dates are bound and read back as SQLAlchemy's SQLite
types store them (ISO text), so both paths see the same rows. A store's write transactions
run on one driver connection it keeps (`Writer`), without SQLAlchemy's connection and
transaction layers around each of them."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.engine import Connection

_PARAM = re.compile(r":(\w+)")
MOMENT = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy's SQLite DateTime writes a moment
CHUNK = 500  # the most parameters a statement of ids binds at once
_FEW = 4  # rows that PostgreSQL inserts faster one statement each than with a COPY
_T = TypeVar("_T")
_STREAMS = itertools.count()  # names of PostgreSQL's server-side cursors
# How a write transaction begins on SQLite: with the write lock, taken (or waited for) at once,
# rather than at its first write, when a writer that read under another's lock must give up.
BEGIN_WRITE = "BEGIN IMMEDIATE"
# And on PostgreSQL, in one round trip: one writer at a time, so that positions commit in order
# and a reader following the position never skips an event that commits late.
LOCK_EVENTS = "LOCK TABLE events IN EXCLUSIVE MODE"
BEGIN_WRITE_POSTGRESQL = f"BEGIN; {LOCK_EVENTS}"


class Cursor:
    """A driver cursor with the store's conventions; driver errors are raised as
    SQLAlchemy's (IntegrityError, OperationalError...), as every other store error is."""

    def __init__(self, connection: Any, sqlite: bool, errors: type[Exception]) -> None:
        self.cursor = connection.cursor()
        self.sqlite = sqlite
        self.errors = errors

    @classmethod
    def of(cls, conn: Connection) -> Cursor:
        """The cursor of a SQLAlchemy connection's driver connection (same transaction)."""
        driver = conn.connection.driver_connection
        return cls(driver, conn.dialect.name == "sqlite", conn.dialect.loaded_dbapi.Error)

    @classmethod
    def of_sqlite(cls, connection: sqlite3.Connection) -> Cursor:
        """The cursor of a plain sqlite3 connection."""
        import sqlite3

        return cls(connection, True, sqlite3.Error)

    @classmethod
    def of_driver(cls, connection: Any) -> Cursor:
        """The cursor of a plain driver connection, sqlite3's or psycopg's."""
        import sqlite3

        if isinstance(connection, sqlite3.Connection):
            return cls.of_sqlite(connection)
        import psycopg

        return cls(connection, False, psycopg.Error)

    def command(self, sql: str) -> None:
        """Run statements without parameters (on PostgreSQL, several in one round trip)."""
        try:
            self.cursor.execute(sql)
        except self.errors as e:
            raise self.error(sql, (), e) from e

    @property
    def in_transaction(self) -> bool:
        """Whether the connection is inside a transaction (or a failed one)."""
        connection = self.cursor.connection
        if self.sqlite:
            return bool(connection.in_transaction)
        from psycopg.pq import TransactionStatus

        return bool(connection.info.transaction_status != TransactionStatus.IDLE)

    @property
    def broken(self) -> bool:
        """Whether the connection can no longer be used (PostgreSQL's was lost)."""
        return not self.sqlite and bool(self.cursor.connection.closed)

    # Each statement catches the driver's errors itself: a context manager around every
    # one would cost a single append more than some of its statements do.
    def rows(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """The rows a statement returns."""
        sql, params = self._bound(sql, params)
        try:
            self.cursor.execute(sql, params)
            return self.cursor.fetchall()  # type: ignore[no-any-return]
        except self.errors as e:
            raise self.error(sql, params, e) from e

    def stream(
        self, sql: str, params: dict[str, Any], size: int = 1000, *, settled: bool = False
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows a statement returns, `size` at a time, fetched as they are asked for (the
        connection must stay open until the last). On PostgreSQL through a server-side cursor
        (in the read's transaction): a client-side one would receive every row at once. A
        `settled` statement (one whose rows cannot change between two runs, and that ends
        where a LIMIT may follow) is first asked for `size` rows at once, in one round trip
        where a server-side cursor takes three: only a longer result is then streamed."""
        sql, params = self._bound(sql, params)
        cursor = self.cursor
        if not self.sqlite and settled:
            with self.translated(sql, params):
                cursor.execute(f"{sql} LIMIT {size + 1}", params)
                rows = cursor.fetchall()
            if len(rows) <= size:
                if rows:
                    yield rows
                return
        if not self.sqlite:
            cursor = self.cursor.connection.cursor(name=f"tracker_stream_{next(_STREAMS)}")
        try:
            with self.translated(sql, params):
                cursor.execute(sql, params)
            while True:
                with self.translated(sql, params):
                    rows = cursor.fetchmany(size)
                if rows:
                    yield rows
                if len(rows) < size:  # the last: no need to ask for more
                    return
        finally:
            if cursor is not self.cursor and not cursor.closed:
                with self.translated("CLOSE", ()):
                    cursor.close()

    def execute(self, sql: str, params: dict[str, Any]) -> None:
        """Run a statement that returns no rows."""
        sql, params = self._bound(sql, params)
        try:
            self.cursor.execute(sql, params)
        except self.errors as e:
            raise self.error(sql, params, e) from e

    def execute_many(self, sql: str, params: Sequence[dict[str, Any]]) -> None:
        """Run a statement that returns no rows once for each set of parameters."""
        bound = [self._bound(sql, p)[1] for p in params]
        sql = sql if self.sqlite else _postgresql(sql)
        try:
            self.cursor.executemany(sql, bound)
        except self.errors as e:
            raise self.error(sql, bound, e) from e

    def _bound(self, sql: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The statement and parameters in the driver's style (dates as text on SQLite)."""
        if self.sqlite:
            return sql, {k: _sqlite_value(v) for k, v in params.items()} if params else params
        return _postgresql(sql), params

    def mappings(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The rows a statement returns, as column name -> value."""
        rows = self.rows(sql, params)
        names = [column[0] for column in self.cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    def among(
        self, sql: str, ids: Sequence[object], params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """The rows of a statement whose `{ids}` is filled with these ids, in chunks (with
        `params`, its other parameters)."""
        if not ids:  # most appends refer to no event
            return []
        found = []
        for filled, names in self.filled(sql, ids, params):
            found += self.rows(filled, names)
        return found

    def execute_among(
        self, sql: str, ids: Sequence[object], params: dict[str, Any] | None = None
    ) -> None:
        """Run a statement that returns no rows, its `{ids}` filled with these ids, in chunks."""
        for filled, names in self.filled(sql, ids, params):
            self.execute(filled, names)

    def filled(
        self, sql: str, ids: Sequence[object], params: dict[str, Any] | None = None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """A statement written with `IN ({ids})`, and its parameters (with `params`), ready to
        run for these ids: on SQLite once per chunk of them, a parameter each; on PostgreSQL
        once, with one array parameter (`= ANY`), so that its text stays the same and the
        driver prepares it once, where a long list would be parsed on every run."""
        if not self.sqlite:
            yield sql.replace(" IN ({ids})", " = ANY(:ids)"), {**(params or {}), "ids": list(ids)}
            return
        for chunk in chunks(ids) if ids else [()]:
            names = {f"i{n}": id_ for n, id_ in enumerate(chunk)}
            marks = ", ".join(f":{n}" for n in names) or "NULL"
            yield sql.format(ids=marks), {**(params or {}), **names}

    def insert(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        """Insert rows (positional parameters, in the driver's style)."""
        try:
            if len(rows) == 1:  # PostgreSQL's driver pipelines a batch: a round trip more
                self.cursor.execute(sql, rows[0])
            else:
                self.cursor.executemany(sql, rows)
        except self.errors as e:
            raise self.error(sql, rows, e) from e

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        """Insert rows on PostgreSQL: a few with INSERT, a batch with COPY (one statement for
        all of them, where an INSERT per row costs the server a statement each)."""
        if len(rows) <= _FEW:
            marks = ", ".join(["%s"] * len(columns))
            self.insert(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
            return
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        with self.translated(sql, ()), self.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)

    @contextmanager
    def translated(self, sql: str, params: Any) -> Iterator[None]:
        """Run the block, raising a driver error as SQLAlchemy's."""
        try:
            yield
        except self.errors as e:
            raise self.error(sql, params, e) from e

    def error(self, sql: str, params: Any, error: Exception) -> Exception:
        """A driver error as SQLAlchemy's (IntegrityError, OperationalError...), the kind the
        engine's statements raise: tracker.store.errors tells the user what either means."""
        import sqlalchemy as sa

        return sa.exc.DBAPIError.instance(sql, params, error, self.errors)


class Writer:
    """The connection a store keeps for its write transactions, opened at the first
    (`open_connection` returns a driver connection in autocommit mode, or None where there is
    none to keep). Only the thread that opened it runs transactions on it, one at a time:
    another thread, or a transaction begun inside one, is told to use the engine, whose
    connections wait for the write lock as this one does. A connection lost with its server
    is given up, and the next transaction opens another."""

    def __init__(self, open_connection: Callable[[], Any]) -> None:
        self._open = open_connection
        self._lock = threading.Lock()  # held while a transaction runs on the connection
        self._pooled: Any = None
        self._look: Cursor | None = None
        self._thread: int | None = None
        self._opened = False  # asked for one since the last close (None: there is none)

    @contextmanager
    def transaction(self, keep: bool = True) -> Iterator[Cursor | None]:
        """A write transaction on the kept connection, begun here with the write lock,
        committed at the end when `keep` and the block raised nothing, else rolled back; None
        when the connection cannot be had now."""
        look = self._claim()
        if look is None:
            yield None
            return
        try:
            try:
                # Inside: a lock not had in time leaves PostgreSQL's transaction open, aborted.
                look.command(BEGIN_WRITE if look.sqlite else BEGIN_WRITE_POSTGRESQL)
                yield look
                if keep:
                    look.command("COMMIT")
            finally:
                if not look.broken and look.in_transaction:  # raised, failed, or not `keep`
                    look.command("ROLLBACK")
        finally:
            if look.broken:
                self._forget()
            self._lock.release()

    def _claim(self) -> Cursor | None:
        """The connection's cursor, held for this thread (opened now if need be); None if
        there is none for this thread now."""
        if not self._lock.acquire(blocking=False):
            return None
        try:
            if not self._opened:
                self._pooled, self._thread = self._open(), threading.get_ident()
                self._opened = True
                if self._pooled is not None:
                    self._look = Cursor.of_driver(self._pooled.dbapi_connection)
        except BaseException:
            self._lock.release()
            raise
        if self._look is None or self._thread != threading.get_ident():
            self._lock.release()
            return None
        return self._look

    def _forget(self) -> None:
        """Close the connection straight at the driver, as one that can no longer be used
        (its pool's reset would only fail, and say so on stderr)."""
        connection, self._pooled, self._look, self._thread = self._pooled, None, None, None
        self._opened = False
        if connection is not None:
            connection.dbapi_connection.close()

    def close(self) -> None:
        """Give the connection back (once a transaction running on it has ended); the next
        write opens another."""
        with self._lock:
            if self._look is not None and self._look.broken:
                self._forget()
            elif self._pooled is not None:
                self._pooled.close()
            self._pooled = self._look = self._thread = None
            self._opened = False


@functools.lru_cache(maxsize=256)
def _postgresql(sql: str) -> str:
    """A statement's `:name` parameters as PostgreSQL's driver takes them, `%(name)s` (the
    store's statements are few, and each runs often)."""
    return _PARAM.sub(r"%(\1)s", sql)


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterable[Sequence[_T]]:
    """The items in slices of at most `size` (the bound parameters of one statement)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return stored_moment(value)
    return value.isoformat() if isinstance(value, dt.date) else value


def stored_moment(value: dt.datetime) -> str:
    """A moment as SQLAlchemy's SQLite DateTime stores it (MOMENT; isoformat is faster)."""
    return value.isoformat(" ", "microseconds")


def day(value: Any) -> dt.date:
    """A date column's value: SQLite hands back the text SQLAlchemy's Date type wrote."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def moment(value: Any) -> dt.datetime:
    """A DateTime column's value, from SQLite's text as from PostgreSQL's datetime."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


# A stored date or moment has one text, the one the store writes: Python reads other
# spellings of the same value (`20250301`, `2025-W09-6`, `T` for the space), which the
# hashes, computed on the value, would not tell apart, while SQL compares and orders the text.
def written_day(value: Any) -> dt.date:
    """A date column's value, as `day` reads it; ValueError (one line) unless it is a date
    written as the store writes it."""
    if isinstance(value, str):
        parsed = _parsed(dt.date.fromisoformat, value, "a date")
        if parsed.isoformat() != value:
            raise ValueError(f"holds {value!r}, which the tracker writes {parsed.isoformat()!r}")
        return parsed
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ValueError(f"holds {value!r}, not a date")


def written_moment(value: Any) -> dt.datetime:
    """A DateTime column's value, as `moment` reads it; ValueError (one line) unless it is a
    moment without time zone written as the store writes it."""
    if isinstance(value, str):
        parsed = _parsed(dt.datetime.fromisoformat, value, "a moment")
        if parsed.tzinfo is not None:
            raise ValueError(f"holds {value!r}, a moment with a time zone")
        if stored_moment(parsed) != value:
            raise ValueError(f"holds {value!r}, which the tracker writes {stored_moment(parsed)!r}")
        return parsed
    if isinstance(value, dt.datetime) and value.tzinfo is None:
        return value
    raise ValueError(f"holds {value!r}, not a moment")


def _parsed(parse: Callable[[str], _T], value: str, what: str) -> _T:
    try:
        return parse(value)
    except ValueError:
        raise ValueError(f"holds {value!r}, not {what}") from None
