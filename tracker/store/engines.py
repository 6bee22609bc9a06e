"""Opening databases: URLs, engines tuned per dialect, and Alembic migrations."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.errors import DatabaseError

# The Alembic revision the code expects; a test checks it is the migrations' head.
SCHEMA_REVISION = "0002"
ENV_VAR = "TRACKER_DATABASE_URL"
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
    """The URL to use (argument, then environment, then default) and whether it is the default."""
    chosen = os.environ.get(ENV_VAR) if url is None else url
    if chosen is not None and not chosen.strip():
        raise DatabaseError("the database URL is empty")
    if chosen:
        return chosen, False
    return default_url(), True


def create_engine(url: str) -> Engine:
    """An engine for `url`: psycopg 3 for PostgreSQL; WAL, durable commits and a busy
    timeout for SQLite, whose write transactions take the lock when they begin."""
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    try:
        engine = sa.create_engine(url)
        if engine.dialect.name == "sqlite":
            _tune_sqlite(engine)
    except (sa.exc.ArgumentError, ImportError, ValueError, OSError) as e:
        raise DatabaseError(f"cannot use database URL {_shown(url)}: {_first_line(e)}") from e
    return engine


def _shown(url: str) -> str:
    """The URL as it may be shown: its password hidden."""
    try:
        return repr(sa.make_url(url).render_as_string(hide_password=True))
    except (sa.exc.ArgumentError, ValueError):
        return "(unreadable URL)"


def _tune_sqlite(engine: Engine) -> None:
    database = engine.url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("tracker_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


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
    """Bring the database to the schema the code expects (cheap when it already is)."""
    if current_revision(engine) != SCHEMA_REVISION:
        upgrade(engine)


def _first_line(error: BaseException) -> str:
    text = str(getattr(error, "orig", None) or error)
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
