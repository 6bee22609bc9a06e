"""Keys that distribute by agreement: every key of the log's tables holds `agreement`, in the
metadata and in a migrated database; event ids are unique within an agreement, not across
agreements; the migration to these keys and back loses nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.conftest import RECORD
from tests.integration.test_store import created, retraction, term_set
from tracker.core.events import Event
from tracker.errors import DatabaseError, EventConflictError
from tracker.service import Tracker
from tracker.store import engines
from tracker.store.log import EventStore
from tracker.store.tables import metadata

LOG_TABLES = ["events", "reaches", "snapshots", "sources", "term_events", "term_latest"]


def keys_of(table: sa.Table) -> dict[str, list[str]]:
    """Each key of a table in the metadata (primary key, unique constraints, unique
    indexes), by name, with its columns."""
    keys = {"primary key": [c.name for c in table.primary_key.columns]}
    keys |= {
        str(c.name): [col.name for col in c.columns]
        for c in table.constraints
        if isinstance(c, sa.UniqueConstraint)
    }
    keys |= {str(i.name): [c.name for c in i.columns] for i in table.indexes if i.unique}
    return keys


def test_every_key_and_unique_index_of_the_log_holds_the_agreement() -> None:
    lacking = [
        f"{name}: {key} {columns}"
        for name in LOG_TABLES
        for key, columns in keys_of(metadata.tables[name]).items()
        if "agreement" not in columns
    ]

    assert sorted(metadata.tables) == LOG_TABLES  # no table of the log is left out
    assert lacking == []
    assert keys_of(metadata.tables["events"]) == {
        "primary key": ["agreement", "version"],
        "uq_events_agreement_id": ["agreement", "id"],
    }


def test_every_index_but_the_logs_order_leads_with_the_agreement() -> None:
    leading = {
        str(index.name): index.columns[0].name
        for name in LOG_TABLES
        for index in metadata.tables[name].indexes
    }

    assert {name: first for name, first in leading.items() if first != "agreement"} == {
        "ix_events_position": "position"
    }


def test_a_migrated_database_has_exactly_those_keys(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    inspector = sa.inspect(engine)

    found = {name: found_keys(inspector, name) for name in LOG_TABLES}

    assert found == {name: keys_of(metadata.tables[name]) for name in LOG_TABLES}


def found_keys(inspector: sa.Inspector, table: str) -> dict[str, list[str]]:
    """Each key of a table as the database has it, by name, with its columns."""
    keys = {"primary key": inspector.get_pk_constraint(table)["constrained_columns"]}
    keys |= {str(u["name"]): u["column_names"] for u in inspector.get_unique_constraints(table)}
    unique = [i for i in inspector.get_indexes(table) if i["unique"]]
    return keys | {str(i["name"]): [str(c) for c in i["column_names"]] for i in unique}


@pytest.fixture
def two(store: EventStore) -> Iterator[EventStore]:
    """Two agreements, each with an event of id `same` (a term.set) and a retraction of it
    in `acme`."""
    store.append("acme", [created(), term_set("same", "Ten a day")])
    store.append("other", [created("other", "other-created"), other("same", "Six a day")])
    store.append("acme", [retraction("r", "same")])
    yield store


def other(id_: str, summary: str) -> Event:
    return term_set(id_, summary, agreement="other")


def test_an_id_is_unique_within_its_agreement_and_free_in_another(two: EventStore) -> None:
    acme, others = two.read("acme"), two.read("other")

    assert [(r.event.id, r.version) for r in acme] == [("acme-created", 1), ("same", 2), ("r", 3)]
    assert [(r.event.id, r.version) for r in others] == [("other-created", 1), ("same", 2)]
    assert len({r.position for r in [*acme, *others]}) == 5


def test_a_retraction_takes_its_target_in_its_own_agreement_only(two: EventStore) -> None:
    tracker = Tracker(two)
    day = term_set("x").effective.first

    acme = tracker.state("acme", day, tracker.store.clock())
    others = tracker.state("other", day, tracker.store.clock())

    assert "supply.volume" not in acme.terms
    assert others.terms["supply.volume"].summary == "Six a day"


def test_a_changed_event_under_an_id_of_its_agreement_is_still_refused(two: EventStore) -> None:
    with pytest.raises(EventConflictError) as raised:
        two.append("other", [other("same", "Seven a day")])

    assert str(raised.value).startswith(
        "event id 'same' is already used in the log of 'other' by an event with other content"
    )


def test_verify_of_every_agreement_keeps_a_shared_id_to_its_own_agreement(
    two: EventStore,
) -> None:
    tracker = Tracker(two)

    assert tracker.check().problems == []
    assert tracker.check("acme").problems == tracker.check("other").problems == []


def test_the_keys_migration_keeps_every_agreement_whole_down_and_up(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    tracker = Tracker(EventStore(engine))
    tracker.import_files([RECORD])
    tracker.store.append("acme", [created(), term_set("a"), retraction("r", "a")])
    before = whole(tracker), tracker.check().problems
    tracker.close()

    engines.downgrade(engine, "0011")
    at_0011 = sa.inspect(engine).get_pk_constraint("events")["constrained_columns"], rows(engine)
    engines.upgrade(engine)
    tracker = Tracker(EventStore(engine))

    assert (whole(tracker), tracker.check().problems) == before
    assert before[1] == []
    assert at_0011 == (["position"], rows(engine))


def test_a_downgrade_refuses_an_id_two_agreements_share_and_changes_nothing(
    two: EventStore,
) -> None:
    engine = two.engine

    with pytest.raises(DatabaseError) as raised:
        engines.downgrade(engine, "0011")

    assert str(raised.value) == (
        "cannot downgrade to '0011': cannot go below revision 0012: event id 'same' is used by"
        " more than one agreement, which earlier revisions do not allow"
    )
    assert engines.current_revision(engine) == "0012"
    assert [r.event.id for r in two.read("other")] == ["other-created", "same"]


def whole(tracker: Tracker) -> dict[str, object]:
    """Every agreement as its export."""
    return {a: tracker.export(a) for a in tracker.store.agreements()}


def rows(engine: sa.Engine) -> list[tuple[object, ...]]:
    """Every event row, by position."""
    with engine.connect() as conn:
        query = "SELECT position, agreement, version, id, payload, hash FROM events ORDER BY 1"
        return [tuple(row) for row in conn.execute(sa.text(query))]
