"""Migrations: upgrade to head gives exactly the store's MetaData; down and up again works."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tests.integration.test_store import created, term_set
from tracker.core.provenance import sha256
from tracker.service import Tracker
from tracker.store import codec, engines, urls
from tracker.store.driver import moment
from tracker.store.integrity import check
from tracker.store.log import EventStore
from tracker.store.tables import built_on, metadata


def test_schema_revision_constant_is_the_migrations_head() -> None:
    script = ScriptDirectory.from_config(engines.alembic_config(sa.create_engine("sqlite://")))

    assert script.get_current_head() == urls.SCHEMA_REVISION


def test_upgrade_to_head_gives_exactly_the_store_metadata(db_url: str) -> None:
    engine = engines.create_engine(db_url)

    engines.upgrade(engine)

    with engine.connect() as conn:
        only_here = {"include_object": lambda _, name, *__: built_on(name, conn.dialect.name)}
        differences = compare_metadata(MigrationContext.configure(conn, opts=only_here), metadata)
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
        "reaches",
        "snapshots",
        "sources",
        "term_events",
        "term_latest",
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


def test_a_downgrade_to_0002_and_back_keeps_verify_clean(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    store = EventStore(engine)
    store.append("acme", [created(), term_set("a")])
    store.close()

    engines.downgrade(engine, "0002")
    engines.upgrade(engine)
    report = Tracker(EventStore(engine)).check()

    assert (report.problems, report.events) == ([], 2)


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
    # Typed as the store's columns were: SQLite keeps a moment as the text its type writes.
    typed = {"effective": sa.Date(), "recorded_at": sa.DateTime()}
    events = sa.table("events", *(sa.column(n, typed.get(n)) for n in row))
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


def _hashes(engine: sa.Engine) -> list[tuple[str, ...]]:
    """Every event's id with its stored hash columns as text, in chain order."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM events ORDER BY agreement, version")).mappings()
        return [
            (row["id"], *(codec.hex_of(row[k]) for k in ("prev_hash", "hash") if k in row))
            for row in rows
        ]


def test_hashes_shrink_to_bytes_and_come_back_as_hex_text(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    store = EventStore(engine)
    store.append("acme", [created(), term_set("a"), term_set("b")])
    store.append("zeta", [created("zeta", "zeta-created")])
    compact = _hashes(engine)

    engines.downgrade(engine, "0005")
    at_0005 = _hashes(engine)
    engines.upgrade(engine)

    a, b, c, z = (digest for _, digest in compact)
    assert [len(bytes.fromhex(digest)) for _, digest in compact] == [32, 32, 32, 32]
    assert at_0005 == [
        ("acme-created", codec.GENESIS, a),
        ("a", a, b),
        ("b", b, c),
        ("zeta-created", codec.GENESIS, z),
    ]
    assert _hashes(engine) == compact
    assert check(engine).problems == []
    assert store.append("acme", [term_set("later")]).version == 4


def test_a_hash_edited_by_hand_before_the_upgrade_is_named_after_it(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine, "0002")
    fill_at_0002(engine)
    engines.upgrade(engine, "0005")
    with engine.begin() as conn:  # an insert is all the triggers let through
        conn.execute(
            sa.text(
                "INSERT INTO events (position, id, agreement, version, type, schema_version,"
                " effective, recorded_at, payload, prev_hash, hash) SELECT 2, 'forged',"
                " agreement, 2, type, schema_version, effective, recorded_at, payload, hash,"
                " 'not a hash' FROM events"
            )
        )

    engines.upgrade(engine)

    assert check(engine).problems == [
        "agreement 'acme': event 'forged' (position 2, version 2): hash differs from the "
        "recomputed hash: the row was changed; column id ('forged') differs from the payload "
        "('acme-created')"
    ]
    assert _hashes(engine)[1] == ("forged", b"not a hash".hex())


TARGET = "ix_events_target"


def test_the_target_index_holds_only_the_events_that_have_a_target_by_agreement(
    db_url: str,
) -> None:
    engine = engines.create_engine(db_url)

    engines.upgrade(engine)

    (index,) = [i for i in sa.inspect(engine).get_indexes("events") if i["name"] == TARGET]
    where = index["dialect_options"][f"{engine.dialect.name}_where"]
    assert index["column_names"] == ["agreement", "target"]
    assert str(where).strip("()") == "target IS NOT NULL"


def test_the_term_index_narrows_to_day_numbers_and_comes_back_as_dates(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    store = EventStore(engine)
    store.append("acme", [created(), term_set("a")])
    narrow = _term_rows(engine)

    engines.downgrade(engine, "0006")
    at_0006 = _term_rows(engine)
    engines.upgrade(engine)

    with engine.connect() as conn:
        recorded = conn.execute(sa.text("SELECT recorded_at FROM events WHERE id = 'a'")).scalar()
    day = dt.date(2025, 2, 1)
    assert narrow == [
        ("", "acme", 1, "group", dt.date(2025, 1, 1).toordinal(), dt.date(2025, 1, 1).toordinal()),
        ("supply.volume", "acme", 2, "set", day.toordinal(), day.toordinal()),
    ]
    assert [row[:6] for row in at_0006] == [
        ("", "acme", 1, "group", dt.date(2025, 1, 1), dt.date(2025, 1, 1)),
        ("supply.volume", "acme", 2, "set", day, day),
    ]
    assert at_0006[1][6] == moment(recorded)
    assert _term_rows(engine) == narrow
    assert check(engine).problems == []


def _term_rows(engine: sa.Engine) -> list[tuple[object, ...]]:
    """The term index's rows, every column, by term and position (dates read as dates)."""
    table = sa.Table("term_events", sa.MetaData(), autoload_with=engine)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(table.c.term, table.c.position)).all()
    return [tuple(row) for row in rows]
