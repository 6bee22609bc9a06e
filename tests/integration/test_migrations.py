"""Migrations: upgrade to head gives exactly the store's MetaData; down and up again works."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker.store import engines
from tracker.store.tables import metadata


def test_schema_revision_constant_is_the_migrations_head() -> None:
    script = ScriptDirectory.from_config(engines.alembic_config(sa.create_engine("sqlite://")))

    assert script.get_current_head() == engines.SCHEMA_REVISION


def test_upgrade_to_head_gives_exactly_the_store_metadata(db_url: str) -> None:
    engine = engines.create_engine(db_url)

    engines.upgrade(engine)

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert engines.current_revision(engine) == engines.SCHEMA_REVISION


def test_downgrade_to_base_and_up_again_works(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)

    engines.downgrade(engine, "base")
    after_down = sorted(sa.inspect(engine).get_table_names())
    engines.upgrade(engine)

    assert after_down == ["alembic_version"]
    assert sorted(sa.inspect(engine).get_table_names()) == ["alembic_version", "events", "sources"]


def test_sources_revision_goes_down_and_up_alone(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)

    engines.downgrade(engine, "0001")
    tables_at_0001 = sorted(sa.inspect(engine).get_table_names())
    engines.upgrade(engine, "0002")

    assert tables_at_0001 == ["alembic_version", "events"]
    assert engines.current_revision(engine) == "0002"
