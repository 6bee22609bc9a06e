"""Migrations: upgrade to head gives exactly the store's MetaData; down and up again works."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.integration.test_store import created, term_set
from tracker.core.provenance import sha256
from tracker.store import codec, engines, urls
from tracker.store.integrity import check
from tracker.store.log import EventStore
from tracker.store.tables import metadata


def test_schema_revision_constant_is_the_migrations_head() -> None:
    script = ScriptDirectory.from_config(engines.alembic_config(sa.create_engine("sqlite://")))

    assert script.get_current_head() == urls.SCHEMA_REVISION


def test_upgrade_to_head_gives_exactly_the_store_metadata(db_url: str) -> None:
    engine = engines.create_engine(db_url)

    engines.upgrade(engine)

    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
    assert engines.current_revision(engine) == urls.SCHEMA_REVISION


def test_downgrade_to_base_and_up_again_works(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)

    engines.downgrade(engine, "base")
    after_down = sorted(sa.inspect(engine).get_table_names())
    engines.upgrade(engine)

    assert after_down == ["alembic_version"]
    assert sorted(sa.inspect(engine).get_table_names()) == [
        "alembic_version",
        "events",
        "snapshots",
        "sources",
        "term_events",
    ]


def test_sources_revision_goes_down_and_up_alone(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)

    engines.downgrade(engine, "0001")
    tables_at_0001 = sorted(sa.inspect(engine).get_table_names())
    engines.upgrade(engine, "0002")

    assert tables_at_0001 == ["alembic_version", "events"]
    assert engines.current_revision(engine) == "0002"


def test_a_database_filled_at_0002_verifies_after_the_upgrade_and_grows(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine, "0002")
    fill_at_0002(engine)

    engines.upgrade(engine)
    store = EventStore(engine)
    store.append("acme", [term_set("later")])
    report = check(engine)

    assert report.problems == []
    assert (report.events, report.sources) == (2, 2)
    assert [h.sources for h in report.heads().heads] == [2]
    assert [r.event.id for r in store.read("acme")] == ["acme-created", "later"]


def fill_at_0002(engine: sa.Engine) -> None:
    """An agreement and two sources, written as the code of revision 0002 wrote them."""
    event = created()
    payload = codec.encode(event)
    moment = dt.datetime(2025, 1, 2, 3, 4, 5)
    digest = codec.chain_hash(codec.GENESIS, "acme", 1, moment, payload)
    row = {"id": event.id, "agreement": "acme", "version": 1, "type": event.type,
           "schema_version": codec.SCHEMA_VERSION, "effective": event.effective.first,
           "announced": None, "target": None, "recorded_at": moment, "payload": payload,
           "prev_hash": codec.GENESIS, "hash": digest}  # fmt: skip
    sources = sa.table("sources", *(sa.column(n) for n in ("agreement", "id", "title", "text",
                                                            "sha256")))  # fmt: skip
    events = sa.table("events", *(sa.column(n) for n in row))
    with engine.begin() as conn:
        conn.execute(sa.insert(events).values(row))
        conn.execute(
            sa.insert(sources),
            [
                {"agreement": "acme", "id": "memo", "title": "Memo", "text": "Ten a day.",
                 "sha256": sha256("Ten a day.")},
                {"agreement": "acme", "id": "blog", "title": "Blog", "text": None,
                 "sha256": None},
            ],
        )  # fmt: skip
