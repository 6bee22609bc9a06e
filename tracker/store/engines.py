"""Opening databases: URLs, engines tuned per dialect, and Alembic migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.errors import DatabaseError
from tracker.store import urls
from tracker.store.driver import BEGIN_WRITE
from tracker.store.urls import bundled, sqlite_file

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# The PostgreSQL advisory lock key under which the first user of a database migrates it.
MIGRATION_LOCK = 0x7472_6163_6B65_72  # "tracker"


def create_engine(
    url: str, *, create: bool = True, make_folder: bool = False, connect_timeout: int | None = None
) -> Engine:
    """An engine for `url`: psycopg 3 for PostgreSQL, with a lock timeout (and, when given,
    a timeout in seconds to reach the server, unless the URL sets one); for SQLite, WAL,
    durable commits and a busy timeout, and write transactions that take the lock when they
    begin. A SQLite file that does not exist is an error unless `create`; its folder must
    exist unless `make_folder`. A file that cannot be written is opened read-only."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    path = sqlite_file(url)
    if path is not None:
        url = _sqlite_url(url, path, create=create, make_folder=make_folder)
    options: dict[str, Any] = {}
    if connect_timeout is not None and "connect_timeout" not in url:
        options["connect_args"] = {"connect_timeout": connect_timeout}
    try:
        engine = sa.create_engine(url, **options)
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine)
        elif engine.dialect.name == "postgresql":
            _tune_postgresql(engine)
    except (sa.exc.ArgumentError, ImportError, ValueError, OSError) as e:
        raise DatabaseError(f"cannot use database URL {_shown(url)}: {_first_line(e)}") from e
    return engine


def _sqlite_url(url: str, path: Path, *, create: bool, make_folder: bool) -> str:
    """The URL to open a SQLite file with: checked to exist (or allowed to be created), and
    read-only when the file or its folder cannot be written."""
    if path.is_dir():
        raise DatabaseError(f"the database {str(path)!r} is a folder, not a file")
    if not path.exists():
        if not create:
            raise DatabaseError(
                f"no database at {str(path)!r}; check the path (`tracker import` or "
                "`tracker db upgrade` creates a new database)"
            )
        if make_folder and not path.parent.is_dir():
            # The user's own data: the folder is theirs alone, as ssh's and gpg's are.
            path.parent.mkdir(parents=True, exist_ok=True, mode=PRIVATE_FOLDER)
        elif not path.parent.is_dir():
            raise DatabaseError(
                f"no folder {str(path.parent)!r} for the database {path.name!r}; "
                "check the path, or create the folder first"
            )
        private_file(path)
        return url
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        return url
    # Read-only: nothing may be written, not even the WAL index; a database without a
    # pending WAL can be read as immutable.
    wal = path.with_name(path.name + "-wal")
    immutable = "" if wal.exists() else "&immutable=1"
    return f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro{immutable}&uri=true"


def private_file(path: Path) -> bool:
    """Create `path` empty, readable and writable by its owner alone; False when it exists.
    SQLite would create a database 0644 under the usual umask, readable by every local user;
    it gives the -wal and -shm files the database file's mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        return False  # another first user created it a moment ago
    except OSError as e:
        raise DatabaseError(f"cannot create the database {str(path)!r}: {e.strerror}") from e
    return True


def is_read_only(engine: Engine) -> bool:
    """True for a SQLite database opened read-only."""
    return engine.dialect.name == "sqlite" and engine.url.query.get("mode") == "ro"


def writer_connection(engine: Engine) -> Any:
    """A connection for a store to keep for its writes, set up as the engine's are (on SQLite
    WAL, durable commits and the busy timeout; on PostgreSQL the lock timeout), in autocommit
    mode: the store begins and ends its transactions itself. On SQLite one of the engine's
    pool; on PostgreSQL one taken out of it (the pool's own stay as SQLAlchemy uses them).
    None for a read-only or in-memory database."""
    if is_read_only(engine):
        return None
    if engine.dialect.name == "postgresql":
        connection = engine.raw_connection()
        connection.detach()  # closing it then closes it
        connection.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        return connection
    if sqlite_file(engine.url.render_as_string(hide_password=False)) is None:
        return None  # in memory: the engine's connection of this thread is the database
    return engine.raw_connection()


def dispose(engine: Engine) -> None:
    """Close the engine's connections; SQLite then checkpoints its WAL into the database
    file, so that the `.db` file alone holds everything."""
    if engine.dialect.name == "sqlite" and not is_read_only(engine):
        try:
            with engine.connect() as conn:
                # Without waiting: a TRUNCATE checkpoint waits out the busy timeout for
                # another writer to finish, which would double a writer's wait for a held
                # lock before it could say it gave up after the timeout.
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except sa.exc.DBAPIError:
            pass  # busy with another writer: the last connection to close checkpoints
    engine.dispose()


def backup(engine: Engine, target: Path) -> None:
    """Copy a SQLite database into the new file `target` with SQLite's online backup."""
    import sqlite3

    if engine.dialect.name != "sqlite":
        shown_url = shown(str(engine.url)).replace("+psycopg", "")
        raise DatabaseError(
            f"tracker db backup copies SQLite databases; for PostgreSQL use pg_dump "
            f"(pg_dump --format=custom --file=BACKUP {shown_url!r})"
        )
    if not target.parent.is_dir():
        raise DatabaseError(f"no folder {str(target.parent)!r} for the backup")
    if target.exists() or not private_file(target):
        raise DatabaseError(f"{str(target)!r} already exists; name a new file")
    source = engine.raw_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            source.driver_connection.backup(copy)  # type: ignore[union-attr]
        finally:
            copy.close()
    except sqlite3.Error as e:
        target.unlink(missing_ok=True)
        raise DatabaseError(f"cannot back up to {str(target)!r}: {e}") from e
    finally:
        source.close()


def _shown(url: str) -> str:
    """The URL as it may be shown in a message: quoted, its password hidden."""
    plain = shown(url)
    return plain if plain == "(unreadable URL)" else repr(plain)


def shown(url: str) -> str:
    """The URL as it may be shown: its password hidden."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):
        return "(unreadable URL)"


def _use_wal(cursor: Any) -> None:
    """Put the file in WAL mode (it stays so). Two first users switching a new file at the
    same moment can be told 'database is locked' at once, without the busy timeout: retry
    until the timeout, and skip the switch once the file is in WAL mode."""
    deadline = time.monotonic() + urls.LOCK_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _tune_sqlite(engine: Engine) -> None:
    read_only = is_read_only(engine)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {urls.LOCK_TIMEOUT_MS}")
        if not read_only:
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("tracker_write", False)
        conn.exec_driver_sql(BEGIN_WRITE if write and not read_only else "BEGIN")


def _tune_postgresql(engine: Engine) -> None:
    """Give up on a lock held by another session after LOCK_TIMEOUT_MS, as SQLite does."""

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {int(urls.LOCK_TIMEOUT_MS)}")
        dbapi_connection.commit()


def alembic_config(engine: Engine) -> Any:
    """An Alembic configuration bound to the engine and the shipped migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(bundled("migrations")))
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The database's Alembic revision, None when it has none."""
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    except sa.exc.OperationalError as e:
        shown = engine.url.render_as_string(hide_password=True)
        raise DatabaseError(f"cannot open database {shown!r}: {_first_line(e)}") from e


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to `revision`."""
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(engine), revision)
    except CommandError as e:
        raise DatabaseError(f"cannot upgrade to {revision!r}: {e}") from e


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to `revision`."""
    from alembic import command
    from alembic.util import CommandError

    try:
        command.downgrade(alembic_config(engine), revision)
    except CommandError as e:
        raise DatabaseError(f"cannot downgrade to {revision!r}: {e}") from e


def ensure_schema(engine: Engine) -> None:
    """Bring the database to the schema the code expects (cheap when it already is); on
    PostgreSQL, under a lock, so that of several first users one migrates and the others
    wait for it."""
    revision = current_revision(engine)
    if revision == urls.SCHEMA_REVISION:
        return
    if is_read_only(engine):
        raise DatabaseError(
            f"the database {engine.url.database!r} is read-only and at schema revision "
            f"{revision or 'base'}, not {urls.SCHEMA_REVISION}; copy it somewhere writable to "
            "use it"
        )
    with _migration_lock(engine):
        if current_revision(engine) != urls.SCHEMA_REVISION:
            upgrade(engine)


def upgrade_locked(engine: Engine, revision: str = "head") -> None:
    """Migrate up to `revision`, under the lock that first users migrate under."""
    with _migration_lock(engine):
        upgrade(engine, revision)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, hold an advisory lock; SQLite's migrations take its write lock."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            conn.commit()


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
