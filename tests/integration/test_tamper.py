"""Someone with write access to the database (triggers dropped) against `tracker verify`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.integration.test_store import created, term_set
from tracker.cli import cli
from tracker.core.events import Source, StoredSource, TermSet, event_from_dict
from tracker.core.provenance import sha256
from tracker.errors import IntegrityError
from tracker.store import answers, codec, guards, terms
from tracker.store.driver import Cursor
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.integrity import check
from tracker.store.log import EventStore
from tracker.store.tables import (
    events_table,
    reaches_table,
    sources_table,
    term_latest_table,
)

TEXT = "Acme will ship ten widgets a day."


def drop_triggers(store: EventStore) -> None:
    """What someone editing the database behind the tracker's back would do first."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for name in ("events_no_update", "events_no_delete"):
                conn.execute(sa.text(f"DROP TRIGGER {name}"))
            for name in ("sources_no_update", "sources_no_delete"):
                conn.execute(sa.text(f"DROP TRIGGER {name}"))
        else:
            conn.execute(sa.text("DROP TRIGGER events_no_update_delete ON events"))
            conn.execute(sa.text("DROP TRIGGER sources_no_update_delete ON sources"))


def restore_triggers(store: EventStore) -> None:
    """What a careful forger does last, so that the database's guards look untouched."""
    with store.engine.begin() as conn:
        guards.restore(Cursor.of(conn))


# One who deletes events deletes their rows of the term index too, which verify would name.
ORPHANS = "DELETE FROM term_events WHERE position NOT IN (SELECT position FROM events)"


def cover_tracks(conn: sa.Connection) -> None:
    """What a careful forger does after deleting events: drop their rows of the term index,
    and make the stored answers those of the log that is left, by the tracker's own recipe,
    so that only heads kept elsewhere can tell."""
    conn.execute(sa.text(ORPHANS))
    records = terms.logged(Cursor.of(conn))
    lasting = {r.position for r in records
               if isinstance(r.event, TermSet) and r.event.expires is None}  # fmt: skip
    latest = answers.latest_of(terms.index_rows(records), lasting)
    reaches = {a: (None, None) if r is None else (r[1], r[0])
               for a, r in answers.reaches_of(records).items()}  # fmt: skip
    conn.execute(sa.delete(term_latest_table))
    conn.execute(sa.delete(reaches_table))
    for (term, agreement), (position, day, reach) in latest.items():
        conn.execute(sa.insert(term_latest_table).values(
            term=term, agreement=agreement, position=position, day=day, reach=reach))  # fmt: skip
    for agreement, (position, day) in reaches.items():
        row = {"agreement": agreement, "position": position, "day": day}
        conn.execute(sa.insert(reaches_table).values(**row))


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", url])


def sourced(store: EventStore) -> None:
    """An agreement with a stored source, a rewrite of it, and a few events."""
    memo = StoredSource(source=Source(id="memo", title="Memo"), text=TEXT, sha256=sha256(TEXT))
    rewrite = StoredSource(source=Source(id="blog", title="Blog"))
    store.append("acme", [created(), term_set("a")], sources=[memo, rewrite])


def ended(id_: str, effective: str = "2025-03-01") -> object:
    return event_from_dict(
        {
            "type": "term.ended",
            "id": id_,
            "agreement": "acme",
            "effective": effective,
            "term": "supply.volume",
            "reason": "terminated",
        }
    )


def test_verify_names_every_damaged_row_without_crashing(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b"), term_set("c")])
    drop_triggers(store)
    t = events_table
    with store.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.id == "a").values(type="term.bogus"))
        conn.execute(sa.update(t).where(t.c.id == "b").values(schema_version=0))
        conn.execute(sa.update(t).where(t.c.id == "c").values(payload="{not json"))

    report = check(store.engine)

    changed = "hash differs from the recomputed hash: the row was changed"
    assert report.problems == [
        f"agreement 'acme': event 'a' (position 2, version 2): {changed}; "
        "unknown event type 'term.bogus'",
        f"agreement 'acme': event 'b' (position 3, version 3): {changed}; unknown schema version 0",
        f"agreement 'acme': event 'c' (position 4, version 4): {changed}; "
        "payload does not decode: Invalid JSON: key must be a string at line 1 column 2",
    ]


def test_reading_a_damaged_row_is_one_line_naming_it(store: EventStore, db_url: str) -> None:
    store.append("acme", [created(), term_set("a")])
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(events_table).where(events_table.c.id == "a").values(schema_version=0)
        )

    result = run(db_url, "state", "acme", "--as-of", "2025-06-01")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored event at position 2 is damaged (unknown schema version 0); "
        "run tracker verify\n"
    )


def test_reads_skip_the_value_limits_that_verify_still_checks(store: EventStore) -> None:
    # Reads trust what was validated on write (and is hash-covered); verify re-validates.
    store.append("acme", [created(), term_set("a")])
    drop_triggers(store)
    t = events_table
    with store.engine.begin() as conn:
        payload = conn.execute(sa.select(t.c.payload).where(t.c.id == "a")).scalar_one()
        huge = payload.replace('"value":{', '"value":{"big":' + "9" * 40 + ",")
        conn.execute(sa.update(t).where(t.c.id == "a").values(payload=huge))

    events = [r.event for r in store.read("acme")]
    report = check(store.engine)

    assert events[1].value["big"] == int("9" * 40)  # type: ignore[union-attr]
    assert report.problems == [
        "agreement 'acme': event 'a' (position 2, version 2): hash differs from the recomputed "
        "hash: the row was changed; payload does not decode: field value: numbers must have at "
        "most 30 digits"
    ]


def test_deleting_the_last_events_is_caught_by_the_heads_kept(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    store.append("acme", [created(), term_set("a"), ended("stop")])
    heads = tmp_path / "heads.json"
    assert run(db_url, "verify", "--write-heads", str(heads)).exit_code == 0
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(events_table).where(events_table.c.id == "stop"))
        cover_tracks(conn)
    restore_triggers(store)

    plain = run(db_url, "verify")
    result = run(db_url, "verify", "--against", str(heads))

    assert plain.exit_code == 0  # without heads kept elsewhere, a cut log looks whole
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        f"agreement 'acme': event version 3 in {heads} is missing (the chain now ends at 2): "
        "rows were deleted"
    )
    assert result.stderr == (
        "Error: 1 damaged or missing rows; the log was changed behind our back\n"
    )


def test_deleting_a_whole_agreement_with_its_sources_is_caught(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    sourced(store)
    store.append("zeta", [created("zeta", "zeta-created")])
    heads = tmp_path / "heads.json"
    run(db_url, "verify", "--write-heads", str(heads))
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(events_table).where(events_table.c.agreement == "acme"))
        conn.execute(sa.delete(sources_table).where(sources_table.c.agreement == "acme"))
        cover_tracks(conn)
    restore_triggers(store)

    result = run(db_url, "verify", "--against", str(heads))

    assert result.exit_code == 1
    assert result.stdout.splitlines()[:2] == [
        f"agreement 'acme': event version 2 in {heads} is missing (the chain now ends at 0): "
        "rows were deleted",
        f"agreement 'acme': source seq 2 in {heads} is missing (the chain now ends at 0): "
        "rows were deleted",
    ]


def test_a_rechained_forgery_is_caught_by_the_heads_kept(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b")])
    heads = tmp_path / "heads.json"
    run(db_url, "verify", "--write-heads", str(heads))
    drop_triggers(store)
    rechain(store, "a", lambda p: p.replace("Ten", "Six"))
    restore_triggers(store)

    plain = run(db_url, "verify")
    result = run(db_url, "verify", "--against", str(heads))

    assert plain.exit_code == 0
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        1,
        f"agreement 'acme': event version 3 has another hash than in {heads}: "
        "the chain was rewritten",
    )


def rechain(store: EventStore, event_id: str, edit: object) -> None:
    """Edit one payload and recompute every later hash, as a careful forger would."""
    t = events_table
    with store.engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.version)).mappings()]
        prev = codec.GENESIS
        for row in rows:
            if row["id"] == event_id:
                row["payload"] = edit(row["payload"])  # type: ignore[operator]
            prev = codec.row_hash(row, prev)
            values = {"payload": row["payload"], "hash": bytes.fromhex(prev)}
            conn.execute(sa.update(t).where(t.c.position == row["position"]).values(**values))


def test_a_rechained_row_that_only_the_edges_rules_refuse_is_read_and_named_by_verify(
    store: EventStore,
) -> None:
    # A read decodes types and constraints; the rules across fields run at the edges, and in
    # verify, which validates every stored row as data coming in.
    store.append("acme", [created(), term_set("a")])
    drop_triggers(store)
    rechain(store, "a", lambda p: p.replace('"value"', '"expires":"2025-01-01","value"'))

    events = [r.event for r in store.read("acme")]
    report = check(store.engine)

    assert str(events[1].expires) == "2025-01-01"  # type: ignore[union-attr]
    assert report.problems == [
        "agreement 'acme': event 'a' (position 2, version 2): payload does not decode: expires "
        "2025-01-01 is before effective 2025-02-01"
    ]


def test_swapping_the_positions_of_same_day_events_is_caught(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b", "Six widgets a day")])
    drop_triggers(store)
    with store.engine.begin() as conn:
        for id_, position in (("a", 100), ("b", 2), ("a", 3)):
            conn.execute(
                sa.update(events_table).where(events_table.c.id == id_).values(position=position)
            )

    problems = check(store.engine).problems

    changed = "hash differs from the recomputed hash: the row was changed"
    assert problems == [
        f"agreement 'acme': event 'a' (position 3, version 2): {changed}",
        "agreement 'acme': event 'b' (position 2, version 3): position is not after the event "
        f"before it (3); {changed}",
    ]


def test_changing_a_corrections_target_is_caught(store: EventStore) -> None:
    fix = event_from_dict(
        {
            "type": "event.retracted",
            "id": "r",
            "agreement": "acme",
            "effective": "2025-03-01",
            "target": "a",
            "reason": "wrong",
        }
    )
    store.append("acme", [created(), term_set("a"), term_set("b"), fix])
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(sa.update(events_table).where(events_table.c.id == "r").values(target="b"))

    problems = check(store.engine).problems

    assert problems == [
        "agreement 'acme': event 'r' (position 4, version 4): hash differs from the recomputed "
        "hash: the row was changed; column target ('b') differs from the payload ('a')"
    ]


def test_sources_are_append_only_in_the_database(store: EventStore) -> None:
    sourced(store)

    with pytest.raises(sa.exc.DBAPIError) as raised, store.engine.begin() as conn:
        conn.execute(sa.update(sources_table).values(derived_from="memo"))

    assert "sources are append-only: UPDATE refused" in str(raised.value)


def test_replacing_a_source_text_and_its_hash_is_caught(store: EventStore) -> None:
    sourced(store)
    drop_triggers(store)
    forged = "Acme will ship six widgets a day."
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(sources_table)
            .where(sources_table.c.id == "memo")
            .values(text=forged, sha256=sha256(forged))
        )

    problems = check(store.engine).problems

    assert problems == [
        "agreement 'acme': source 'memo' (seq 1): hash differs from the recomputed hash: "
        "the row was changed"
    ]


def test_setting_derived_from_is_caught(store: EventStore) -> None:
    sourced(store)
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(sources_table).where(sources_table.c.id == "blog").values(derived_from="memo")
        )

    with pytest.raises(IntegrityError) as raised:
        from tracker.store.integrity import verify

        verify(store.engine)

    assert str(raised.value) == (
        "agreement 'acme': source 'blog' (seq 2): hash differs from the recomputed hash: "
        "the row was changed"
    )


def test_the_head_file_and_the_printed_heads_agree(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    sourced(store)
    heads = tmp_path / "heads.json"

    written = run(db_url, "verify", "--write-heads", str(heads))
    again = run(db_url, "verify", "--against", str(heads))

    document = json.loads(heads.read_text("utf-8"))
    head = document["agreements"]["acme"]
    assert (written.exit_code, again.exit_code) == (0, 0)
    assert written.stdout == (
        f"head acme version 2 {head['hash']} sources 2 {head['sources_hash']}\n"
        f"digest {document['digest']}\n"
    )
    assert (
        again.stderr
        == f"2 events and 2 sources checked; hash chains intact; the heads in {heads} found\n"
    )


def test_a_file_that_is_not_a_head_file_is_one_line(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    heads = tmp_path / "heads.json"
    heads.write_text("[1, 2", encoding="utf-8")

    result = run(db_url, "verify", "--against", str(heads))

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith(f"Error: {heads}: not a head file written by tracker verify")
    assert result.stderr.count("\n") == 1


def test_recorded_at_never_goes_back_when_the_clock_does(store: EventStore) -> None:
    store.clock = lambda: dt.datetime(2025, 3, 1, 12, 0)  # type: ignore[method-assign]
    store.append("acme", [created()])
    store.clock = lambda: dt.datetime(2024, 1, 1)  # type: ignore[method-assign]

    store.append("acme", [term_set("a")])
    store.append("acme", [term_set("b")])

    assert [r.recorded_at for r in store.read("acme")] == [
        dt.datetime(2025, 3, 1, 12, 0),
        dt.datetime(2025, 3, 1, 12, 0, 0, 1),
        dt.datetime(2025, 3, 1, 12, 0, 0, 2),
    ]


def test_verify_of_one_agreement_checks_only_its_kept_head(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    store.append("acme", [created(), term_set("a")])
    store.append("zeta", [created("zeta", "zeta-created")])
    heads = tmp_path / "heads.json"
    run(db_url, "verify", "--write-heads", str(heads))

    result = run(db_url, "verify", "zeta", "--against", str(heads))

    assert (result.exit_code, result.stdout.splitlines()[0].split()[:4]) == (
        0,
        ["head", "zeta", "version", "1"],
    )


def test_reading_a_damaged_source_is_one_line_naming_it(store: EventStore, db_url: str) -> None:
    sourced(store)
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(sa.update(sources_table).where(sources_table.c.id == "blog").values(title=""))

    result = run(db_url, "sources", "acme", "--format", "json")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the stored source 'blog' of 'acme' is damaged (field title: String "
        "should have at least 1 character); run tracker verify\n"
    )


def test_columns_of_the_wrong_kind_are_named_without_stopping_the_check(tmp_path: Path) -> None:
    store = EventStore(create_engine(f"sqlite:///{tmp_path / 'loose.db'}"))
    ensure_schema(store.engine)
    store.append("acme", [created(), term_set("a"), term_set("b"), term_set("c")])
    drop_triggers(store)
    with store.engine.begin() as conn:  # SQLite keeps whatever text it is given
        conn.execute(sa.text("UPDATE events SET effective = 'garbage' WHERE id = 'a'"))
        conn.execute(sa.text("UPDATE events SET version = 'x' WHERE id = 'c'"))

    problems = check(store.engine).problems

    assert problems == [
        "agreement 'acme': event 'a' (position 2, version 2): column effective holds "
        "'garbage', not a date",
        "agreement 'acme': event 'c' (position 4, version x): version follows 3: a gap or a "
        "duplicate; hash differs from the recomputed hash: the row was changed",
    ]


def test_verify_takes_write_heads_or_against_not_both(sqlite_url: str, tmp_path: Path) -> None:
    heads = str(tmp_path / "heads.json")

    result = run(sqlite_url, "verify", "--write-heads", heads, "--against", heads)

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: verify takes --write-heads or --against, not both\n")
    assert not (tmp_path / "heads.json").exists()


def test_an_edited_hash_is_named_once_and_the_rows_after_it_are_still_checked(
    store: EventStore,
) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b"), term_set("c")])
    drop_triggers(store)
    t = events_table
    with store.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.id == "a").values(hash=bytes(32)))
        conn.execute(
            sa.update(t)
            .where(t.c.id == "c")
            .values(payload=sa.func.replace(t.c.payload, "Ten", "Six"))
        )

    problems = check(store.engine).problems

    changed = "hash differs from the recomputed hash: the row was changed"
    assert problems == [
        f"agreement 'acme': event 'a' (position 2, version 2): {changed}",
        f"agreement 'acme': event 'c' (position 4, version 4): {changed}",
    ]


def test_an_event_moved_to_another_version_is_caught(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b"), term_set("c")])
    drop_triggers(store)
    t = events_table
    with store.engine.begin() as conn:
        conn.execute(sa.update(t).where(t.c.id == "b").values(version=30))

    problems = check(store.engine).problems

    assert problems == [
        "agreement 'acme': event 'c' (position 4, version 4): version follows 2: a gap or a "
        "duplicate",
        "agreement 'acme': event 'b' (position 3, version 30): version follows 4: a gap or a "
        "duplicate; position is not after the event before it (4)",
    ]
