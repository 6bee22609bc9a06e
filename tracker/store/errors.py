"""The database's own errors as the store's: the one place that reads what a driver says
(SQLite's message, PostgreSQL's sqlstate), whether it comes straight from the driver or
wrapped by SQLAlchemy (the engine's statements, and the cursor's, which raises driver errors
as SQLAlchemy's so that the store catches one kind)."""

from __future__ import annotations

import sqlite3
import sys

from tracker.errors import DatabaseBusyError, DatabaseError, DatabaseReadOnlyError
from tracker.store import urls

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's sqlstate for a lock not had within lock_timeout


def translated(error: BaseException) -> DatabaseError | None:
    """The store's error, with its one-line message, for an error the database or its driver
    raised (SQLAlchemy's or the driver's own); None for any other."""
    if not _from_database(error):
        return None
    orig = getattr(error, "orig", None)
    detail = str(orig or error).strip().splitlines()
    first = detail[0] if detail else type(error).__name__
    code = getattr(orig or error, "sqlstate", None)
    if code == LOCK_NOT_AVAILABLE or first == "database is locked":
        seconds = urls.LOCK_TIMEOUT_MS / 1000
        return DatabaseBusyError(
            f"the database is busy: another writer held its lock for {seconds:g} s; try again"
        )
    if "readonly database" in first:
        return DatabaseReadOnlyError("the database is read-only: it can be read, not written")
    return DatabaseError(f"database error: {first}")


def _from_database(error: BaseException) -> bool:
    """Whether SQLAlchemy or a driver raised the error (neither is imported to find out: an
    error cannot come from a module never loaded)."""
    if isinstance(error, sqlite3.Error):
        return True
    sa = sys.modules.get("sqlalchemy")
    if sa is not None and isinstance(error, sa.exc.SQLAlchemyError):
        return True
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)
