"""Which database to open, without SQLAlchemy: the URL chosen, the SQLite file it names, and
the schema revision the code expects (a read of a SQLite file needs nothing more)."""

from __future__ import annotations

import os
from pathlib import Path

from tracker.errors import DatabaseError

# The Alembic revision the code expects; a test checks it is the migrations' head.
SCHEMA_REVISION = "0012"
# How long a writer waits for another's lock before giving up, on both databases.
LOCK_TIMEOUT_MS = 30_000
ENV_VAR = "TRACKER_DATABASE_URL"
READ_ENV_VAR = "TRACKER_READ_DATABASE_URL"  # a replica for reads (read by the command line)
PACKAGE = Path(__file__).resolve().parent.parent


def bundled(name: str) -> Path:
    """A folder shipped with the package (`migrations`, `record`), or its source checkout twin."""
    inside = PACKAGE / name
    if inside.is_dir():
        return inside
    return PACKAGE.parent / {"record": "events"}.get(name, name)


def default_url() -> str:
    """The embedded default: a SQLite file in the user's data directory."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('tracker') / 'tracker.db'}"


def resolve_url(url: str | None) -> tuple[str, bool]:
    """The URL to use (argument, then environment, then default) and whether it is the default;
    a string that is not a URL names a SQLite file (relative to the current folder), since
    people give a database by its path as often as by its URL."""
    chosen = os.environ.get(ENV_VAR) if url is None else url
    if chosen is not None and not chosen.strip():
        raise DatabaseError("the database URL is empty")
    if chosen:
        return (chosen if "://" in chosen else file_url(Path(chosen))), False
    return default_url(), True


def is_postgresql(url: str) -> bool:
    """Whether the URL names a PostgreSQL database (with or without a driver)."""
    return url.partition("://")[0].split("+", 1)[0] in ("postgresql", "postgres")


def file_url(path: Path) -> str:
    """The SQLite URL of a file path, made absolute so that it reads the same from anywhere."""
    return f"sqlite:///{Path.cwd() / path.expanduser()}"


def sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (`sqlite:///relative` or `sqlite:////absolute`, with or
    without a driver and a query), None for other databases and in-memory ones; a test
    checks it reads URLs as SQLAlchemy's make_url does."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme.split("+", 1)[0] != "sqlite" or not rest.startswith("/"):
        return None
    database = rest[1:].partition("?")[0]
    if not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return Path(database[5:])
    return Path(database)
