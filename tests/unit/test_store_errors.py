"""Driver errors as the store's own, on both paths they come by: straight from the driver
(sqlite3, psycopg) and wrapped by SQLAlchemy."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from tracker.errors import DatabaseBusyError, DatabaseError, DatabaseReadOnlyError
from tracker.store import urls
from tracker.store.errors import translated

BUSY = "the database is busy: another writer held its lock for 30 s; try again"
READ_ONLY = "the database is read-only: it can be read, not written"


def _wrapped(error: Exception) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError.instance("SELECT 1", {}, error, type(error))


@pytest.mark.parametrize("wrap", [False, True], ids=["driver", "sqlalchemy"])
def test_a_held_sqlite_lock_is_a_busy_database(wrap: bool) -> None:
    error: Exception = sqlite3.OperationalError("database is locked")

    found = translated(_wrapped(error) if wrap else error)

    assert (type(found), str(found)) == (DatabaseBusyError, BUSY)


@pytest.mark.parametrize("wrap", [False, True], ids=["driver", "sqlalchemy"])
def test_a_postgresql_lock_timeout_is_a_busy_database(wrap: bool) -> None:
    error: Exception = psycopg.errors.LockNotAvailable("canceling statement due to lock timeout")

    found = translated(_wrapped(error) if wrap else error)

    assert (type(found), str(found)) == (DatabaseBusyError, BUSY)


def test_the_busy_message_tells_the_wait_in_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(urls, "LOCK_TIMEOUT_MS", 1500)

    found = translated(sqlite3.OperationalError("database is locked"))

    assert str(found) == "the database is busy: another writer held its lock for 1.5 s; try again"


def test_a_write_to_a_read_only_file_is_a_read_only_database() -> None:
    error = sqlite3.OperationalError("attempt to write a readonly database")

    found = translated(_wrapped(error))

    assert (type(found), str(found)) == (DatabaseReadOnlyError, READ_ONLY)


def test_another_driver_error_is_its_first_line() -> None:
    error = sqlite3.OperationalError("no such table: events\nmore detail")

    found = translated(_wrapped(error))

    assert (type(found), str(found)) == (DatabaseError, "database error: no such table: events")


def test_an_error_not_from_the_database_is_not_translated() -> None:
    assert translated(ValueError("database is locked")) is None
