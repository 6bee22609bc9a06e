"""The event store, on SQLite and on PostgreSQL: appends, concurrency, idempotency, reads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from tracker.core import plain
from tracker.core.dates import When
from tracker.core.events import Batch, Event, Source, StoredSource, TermSet, event_from_dict
from tracker.errors import ConcurrencyError, EventConflictError, InvalidEventError
from tracker.store import codec
from tracker.store.integrity import check
from tracker.store.log import AppendResult, EventStore
from tracker.store.tables import events_table, metadata

D = dt.date(2025, 1, 1)


def created(agreement: str = "acme", id_: str = "acme-created") -> Event:
    return event_from_dict(
        {
            "type": "agreement.created",
            "id": id_,
            "agreement": agreement,
            "effective": "2025-01-01",
            "title": "Acme supply",
            "parties": [{"name": "Acme", "role": "supplier"}],
        }
    )


def term_set(id_: str, summary: str = "Ten widgets a day", agreement: str = "acme") -> Event:
    return event_from_dict(
        {
            "type": "term.set",
            "id": id_,
            "agreement": agreement,
            "effective": "2025-02-01",
            "term": "supply.volume",
            "summary": summary,
            "value": {"per_day": 10},
        }
    )


def test_append_numbers_versions_from_one_without_gaps(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b")])

    records = store.read("acme")

    assert [(r.event.id, r.version) for r in records] == [
        ("acme-created", 1),
        ("a", 2),
        ("b", 3),
    ]


def test_append_with_the_expected_version_succeeds(store: EventStore) -> None:
    store.append("acme", [created()], expected_version=0)

    result = store.append("acme", [term_set("a")], expected_version=1)

    assert (result.written, result.skipped, result.version) == (1, 0, 2)


def test_wrong_expected_version_names_agreement_expected_and_actual(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])

    with pytest.raises(ConcurrencyError) as raised:
        store.append("acme", [term_set("b")], expected_version=1)

    assert str(raised.value) == (
        "agreement 'acme' is at version 2, not the expected 1; read it again and retry"
    )
    assert store.version("acme") == 2


def test_an_event_built_in_python_is_validated_as_a_files_event_and_nothing_written(
    store: EventStore,
) -> None:
    store.append("acme", [created()])
    bad = TermSet(id="x", agreement="acme", effective=When.parse("2025-02-01"),
                  term="Not A Key", summary="s")  # fmt: skip

    with pytest.raises(InvalidEventError) as raised:
        store.append("acme", [term_set("a"), bad])

    assert str(raised.value) == (
        "field term: 'Not A Key' is not valid: a term key is lower-case words joined by dots, "
        "e.g. cloud.exclusivity"
    )
    assert store.version("acme") == 1


def test_an_event_built_in_python_comes_back_as_validated(store: EventStore) -> None:
    built = TermSet(id="a", agreement="acme", effective="2025-02-01",  # type: ignore[arg-type]
                    term="supply.volume", summary="Ten widgets a day")  # fmt: skip

    store.append("acme", [created(), built])

    read = store.read("acme")[1].event
    assert read == event_from_dict(
        {"type": "term.set", "id": "a", "agreement": "acme", "effective": "2025-02-01",
         "term": "supply.volume", "summary": "Ten widgets a day"}
    )  # fmt: skip
    assert read.effective == When("2025-02-01", dt.date(2025, 2, 1), dt.date(2025, 2, 1))


def test_same_id_same_content_is_skipped(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])

    result = store.append("acme", [term_set("a")])

    assert (result.written, result.skipped, result.version) == (0, 1, 2)


def test_same_id_other_content_is_rejected_and_nothing_written(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])

    with pytest.raises(EventConflictError) as raised:
        store.append("acme", [term_set("b"), term_set("a", summary="Eleven widgets")])

    assert str(raised.value) == (
        "event id 'a' is already used in the log of 'acme' by an event with other content "
        "(differs in: summary); to change a recorded event, record an event.corrected with "
        "target 'a'"
    )
    assert [r.event.id for r in store.read("acme")] == ["acme-created", "a"]


def test_first_event_of_an_agreement_must_create_it(store: EventStore) -> None:
    with pytest.raises(InvalidEventError) as raised:
        store.append("acme", [term_set("a")])

    assert str(raised.value) == (
        "event 'a': the first event of 'acme' must be agreement.created"
        " (an amendment file needs its agreement imported first)"
    )


def test_retraction_of_an_unknown_event_is_rejected(store: EventStore) -> None:
    store.append("acme", [created()])
    retraction = event_from_dict(
        {
            "type": "event.retracted",
            "id": "r",
            "agreement": "acme",
            "effective": "2025-03-01",
            "target": "nope",
            "reason": "wrong",
        }
    )

    with pytest.raises(InvalidEventError) as raised:
        store.append("acme", [retraction])

    assert str(raised.value) == "event 'r' refers to unknown event 'nope' in 'acme'"


def test_retraction_of_another_agreements_event_is_rejected_as_unknown_in_its_own(
    store: EventStore,
) -> None:
    store.append("acme", [created()])
    store.append("other", [created("other", "other-created"), term_set("o", agreement="other")])
    retraction = event_from_dict(
        {
            "type": "event.retracted",
            "id": "r",
            "agreement": "acme",
            "effective": "2025-03-01",
            "target": "o",
            "reason": "wrong",
        }
    )

    with pytest.raises(InvalidEventError) as raised:
        store.append("acme", [retraction])

    assert str(raised.value) == "event 'r' refers to unknown event 'o' in 'acme'"


def test_read_until_a_date_keeps_later_events_out(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])

    records = store.read("acme", until=dt.date(2025, 1, 15))

    assert [r.event.id for r in records] == ["acme-created"]


def test_read_known_at_keeps_later_recordings_out(store: EventStore) -> None:
    store.append("acme", [created()])
    cut = store.read("acme")[0].recorded_at
    store.append("acme", [term_set("a")])

    records = store.read("acme", known_at=cut)

    assert [r.event.id for r in records] == ["acme-created"]


def test_agreements_lists_each_created_agreement_once(store: EventStore) -> None:
    store.append("zeta", [created("zeta", "z")])
    store.append("acme", [created(), term_set("a")])

    assert store.agreements() == ["acme", "zeta"]


def test_database_refuses_update_of_an_event(store: EventStore) -> None:
    store.append("acme", [created()])

    with pytest.raises(sa.exc.DatabaseError) as raised, store.engine.begin() as conn:
        conn.execute(sa.update(events_table).values(payload="{}"))

    assert "append-only" in str(raised.value)
    assert store.read("acme")[0].event == created()


def test_database_refuses_delete_of_an_event(store: EventStore) -> None:
    store.append("acme", [created()])

    with pytest.raises(sa.exc.DatabaseError) as raised, store.engine.begin() as conn:
        conn.execute(sa.delete(events_table))

    assert "append-only" in str(raised.value)
    assert store.version("acme") == 1


def test_each_event_hash_links_to_the_previous_one(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])

    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(events_table).order_by("version")).mappings().all()

    first = codec.row_hash(rows[0], "0" * 64)
    assert [len(row["hash"]) for row in rows] == [32, 32]
    assert rows[0]["hash"] == bytes.fromhex(first)
    assert rows[1]["hash"] == bytes.fromhex(codec.row_hash(rows[1], first))


def cited(id_: str, certainty: str = "confirmed") -> Event:
    return event_from_dict(
        {
            "type": "term.set",
            "id": id_,
            "agreement": "acme",
            "effective": "2025-02-01",
            "certainty": certainty,
            "term": "supply.volume",
            "summary": "Ten widgets a day",
            "sources": [{"source": "memo", "stance": "supports"}],
        }
    )


def test_stored_payloads_leave_out_the_fields_at_their_defaults(store: EventStore) -> None:
    memo = StoredSource(source=Source(id="memo", title="Memo"))
    store.append("acme", [created(), cited("a"), cited("b", "reported")], sources=[memo])

    with store.engine.connect() as conn:
        query = sa.select(events_table.c.payload).where(events_table.c.version > 1)
        payloads = conn.execute(query.order_by("version")).scalars().all()

    assert payloads == [
        '{"type":"term.set","id":"a","agreement":"acme","effective":"2025-02-01",'
        '"sources":[{"source":"memo"}],"term":"supply.volume","summary":"Ten widgets a day"}',
        '{"type":"term.set","id":"b","agreement":"acme","effective":"2025-02-01",'
        '"certainty":"reported","sources":[{"source":"memo"}],"term":"supply.volume",'
        '"summary":"Ten widgets a day"}',
    ]
    assert [r.event for r in store.read("acme")] == [created(), cited("a"), cited("b", "reported")]


def test_a_payload_stored_with_its_defaults_still_verifies_and_reads_the_same(
    store: EventStore,
) -> None:
    event, moment = created(), dt.datetime(2025, 1, 2, 3, 4, 5)
    fields = {k: v for k, v in plain.fields_of(event).items() if v is not None}
    payload = json.dumps({"type": event.type, **fields}, separators=(",", ":"))
    digest = codec.link_hash(codec.GENESIS, 1, "acme", 1, event.type, codec.SCHEMA_VERSION,
                             None, moment, payload)  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(
            sa.insert(events_table).values(
                position=1, id=event.id, agreement="acme", version=1, type=event.type,
                schema_version=codec.SCHEMA_VERSION, effective=event.effective.first,
                recorded_at=moment, payload=payload, hash=bytes.fromhex(digest),
                hash_version=codec.HASH_VERSION,
            )
        )  # fmt: skip

    store.append(
        "acme", [cited("a")], sources=[StoredSource(source=Source(id="memo", title="Memo"))]
    )

    assert '"certainty":"confirmed","sources":[]' in payload
    assert check(store.engine).problems == []
    assert [r.event for r in store.read("acme")] == [created(), cited("a")]


def retraction(id_: str, target: str) -> Event:
    return event_from_dict(
        {
            "type": "event.retracted",
            "id": id_,
            "agreement": "acme",
            "effective": "2025-03-01",
            "target": target,
            "reason": "wrong",
        }
    )


MEMO = StoredSource(
    source=Source(id="memo", title="Memo", published=dt.date(2025, 1, 20)), text="Ten a day."
)


def row_counts(store: EventStore) -> dict[str, int]:
    """How many rows each table holds."""
    with store.engine.connect() as conn:
        return {
            name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for name, table in sorted(metadata.tables.items())
        }


def test_a_rehearsal_says_what_appending_would_do_and_writes_nothing(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    before = row_counts(store)
    batches = [
        Batch("acme", [term_set("b"), retraction("r", "a")], [MEMO]),
        Batch("acme", [term_set("b"), retraction("r2", "r")]),
    ]

    results = store.rehearse(batches)

    assert results == [AppendResult(2, 0, 4), AppendResult(1, 1, 5)]
    assert row_counts(store) == before
    assert before == {"events": 2, "reaches": 1, "snapshots": 0, "sources": 0,
                      "term_events": 2, "term_latest": 1}  # fmt: skip
    assert store.append("acme", [term_set("c")], expected_version=2).version == 3


def test_a_rehearsal_that_fails_names_its_batch_and_writes_nothing(store: EventStore) -> None:
    store.append("acme", [created()])
    before = row_counts(store)
    batches = [Batch("acme", [term_set("a")], [MEMO]), Batch("acme", [retraction("r", "nope")])]

    with pytest.raises(InvalidEventError) as raised:
        store.rehearse(batches)

    assert (raised.value.batch, str(raised.value)) == (
        1,
        "event 'r' refers to unknown event 'nope' in 'acme'",
    )
    assert row_counts(store) == before


def test_a_source_appended_with_events_reads_back_whole(store: EventStore) -> None:
    store.append("acme", [created()], sources=[MEMO])

    assert store.sources("acme") == [MEMO]
    assert store.append("acme", [], sources=[MEMO]) == AppendResult(0, 0, 1)
    assert row_counts(store)["sources"] == 1


def test_the_log_writes_its_rows_in_the_columns_its_insert_names() -> None:
    from tracker.store import sql
    from tracker.store.log import Row

    assert Row._fields == sql.EVENT_ROW == (
        "id", "agreement", "version", "type", "schema_version", "effective", "announced",
        "target", "recorded_at", "payload", "hash", "position", "hash_version",
    )  # fmt: skip


def test_a_replay_longer_than_one_fetch_reads_every_fact(store: EventStore) -> None:
    start = dt.date(2025, 1, 1)
    changes = [
        event_from_dict(
            {
                "type": "term.set",
                "id": f"s{n}",
                "agreement": "acme",
                "effective": (start + dt.timedelta(days=n // 10)).isoformat(),
                "term": f"supply.t{n % 3}",
                "summary": f"Value {n}",
                "value": {"n": n},
            }
        )
        for n in range(1, 1_501)
    ]
    store.append("acme", [created(), *changes])

    state = store.state("acme", dt.date(2025, 5, 1), dt.datetime(2100, 1, 1))

    # 2025-05-01 is day 120 after the start: the changes up to n = 1209 count (1,210 facts
    # with the creation, more than one fetch of 1,000).
    assert {key: term.summary for key, term in state.terms.items()} == {
        "supply.t0": "Value 1209",
        "supply.t1": "Value 1207",
        "supply.t2": "Value 1208",
    }
