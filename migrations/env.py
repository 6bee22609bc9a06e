"""Alembic environment: migrations run against the tracker's own MetaData and engine."""

from __future__ import annotations

from alembic import context

from tracker.store.engines import create_engine
from tracker.store.tables import built_on, metadata
from tracker.store.urls import resolve_url

target_metadata = metadata


def run_migrations_online() -> None:
    """Run with the engine the tracker passed in, or the configured URL."""
    engine = context.config.attributes.get("engine")
    if engine is None:
        engine = create_engine(resolve_url(context.config.get_main_option("sqlalchemy.url"))[0])
    with engine.connect().execution_options(tracker_write=True) as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            # SQLite's DDL is transactional too: every revision in one transaction, which holds
            # the write lock throughout, so that a first user waiting for it finds the schema
            # done rather than running a revision again.
            transactional_ddl=True,
            include_object=lambda _, name, *__: built_on(name, connection.dialect.name),
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
