"""The connection a store keeps for its writes on a SQLite file: set up as the engine's own,
shared safely by threads, and given back when the store closes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.integration.test_store import created, term_set
from tracker.core.events import Event, Source, StoredSource
from tracker.errors import EventConflictError
from tracker.store import engines
from tracker.store.engines import create_engine, ensure_schema, writer_connection
from tracker.store.log import EventStore


def notes(thread: int, count: int) -> list[Event]:
    return [term_set(f"t{thread}-{n}", summary=f"thread {thread}, note {n}") for n in range(count)]


def test_the_write_connection_is_durable_and_waits_as_the_engines_do(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    ensure_schema(engine)

    pooled = writer_connection(engine)
    settings = [
        pooled.driver_connection.execute(f"PRAGMA {name}").fetchone()[0]
        for name in ("journal_mode", "synchronous", "busy_timeout")
    ]
    autocommit = pooled.driver_connection.isolation_level
    pooled.close()
    engine.dispose()

    assert (settings, autocommit) == (["wal", 2, 30000], None)


def test_there_is_no_write_connection_for_memory_or_a_read_only_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ro.db"
    ensure_schema(create_engine(f"sqlite:///{path}"))
    monkeypatch.setattr(engines.os, "access", lambda path, mode: mode != os.W_OK)

    memory = writer_connection(create_engine("sqlite://"))
    read_only = writer_connection(create_engine(f"sqlite:///{path}"))

    assert (memory, read_only) == (None, None)


def test_threads_appending_to_one_store_at_once_all_succeed(store: EventStore) -> None:
    store.append("acme", [created()])
    failures: list[BaseException] = []

    def append_notes(thread: int) -> None:
        try:
            for event in notes(thread, 15):
                store.append("acme", [event])
        except BaseException as e:  # reported below, where the test can fail on it
            failures.append(e)

    threads = [threading.Thread(target=append_notes, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    records = store.read("acme")
    assert failures == []
    assert [r.version for r in records] == list(range(1, 62))
    assert sorted(r.event.id for r in records[1:]) == sorted(
        e.id for n in range(4) for e in notes(n, 15)
    )


def test_a_store_written_by_one_thread_is_written_by_another(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    results = []

    worker = threading.Thread(
        target=lambda: results.append(store.append("acme", [term_set("b")], 2).version)
    )
    worker.start()
    worker.join()
    store.append("acme", [term_set("c")], expected_version=3)

    assert results == [3]
    assert [r.event.id for r in store.read("acme")] == ["acme-created", "a", "b", "c"]


def test_closing_the_store_gives_back_its_write_connection(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    engine = create_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    store = EventStore(engine)
    store.append("acme", [created()])
    held = engine.pool.checkedout()

    store.close()

    assert (held, engine.pool.checkedout()) == (1, 0)
    assert not path.with_name("c.db-wal").exists()  # the last connection closed removed it
    assert store.version("acme") == 1


def test_an_append_refused_after_its_sources_went_in_leaves_none_and_the_next_succeeds(
    store: EventStore,
) -> None:
    store.append("acme", [created(), term_set("a")])
    memo = StoredSource(source=Source(id="memo", title="Memo"), text="Ten a day.")

    with pytest.raises(EventConflictError):
        store.append("acme", [term_set("a", summary="Eleven")], sources=[memo])
    result = store.append("acme", [term_set("b")], expected_version=2)

    assert (result.written, result.version) == (1, 3)
    assert store.sources("acme") == []


def test_on_postgresql_the_write_connection_waits_as_the_engines_do(postgres_url: str) -> None:
    engine = create_engine(postgres_url)

    kept = writer_connection(engine)
    connection = kept.dbapi_connection
    lock_timeout = connection.execute("SHOW lock_timeout").fetchone()[0]
    autocommit = connection.autocommit
    kept.close()
    engine.dispose()

    assert (lock_timeout, autocommit) == ("30s", True)


def test_on_postgresql_each_append_is_one_transaction_on_the_kept_connection(
    postgres_url: str,
) -> None:
    store, backend = _appended_on_postgresql(postgres_url)

    store.append("acme", [term_set("a")], expected_version=1)
    with pytest.raises(EventConflictError):
        store.append("acme", [term_set("a", summary="other")])
    store.append("acme", [term_set("b")], expected_version=2)
    again = _backend(store)
    versions = [r.version for r in store.read("acme")]
    store.close()

    assert again == backend
    assert versions == [1, 2, 3]


def test_on_postgresql_a_write_connection_lost_is_given_up_and_the_next_append_succeeds(
    postgres_url: str,
) -> None:
    import sqlalchemy as sa

    store, backend = _appended_on_postgresql(postgres_url)
    with store.engine.connect() as admin:
        admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
        admin.commit()

    with pytest.raises(sa.exc.OperationalError):
        store.append("acme", [term_set("a")])
    store.append("acme", [term_set("b")])
    versions = [(r.version, r.event.id) for r in store.read("acme")]
    store.close()

    assert versions == [(1, "acme-created"), (2, "b")]


def _appended_on_postgresql(url: str) -> tuple[EventStore, int]:
    """A store on PostgreSQL with one append made, and the server process of its kept write
    connection."""
    engine = create_engine(url)
    ensure_schema(engine)
    store = EventStore(engine)
    store.append("acme", [created()])
    return store, _backend(store)


def _backend(store: EventStore) -> int:
    look = store._writer._look
    assert look is not None
    return int(look.cursor.connection.info.backend_pid)


def test_on_postgresql_a_write_that_waited_too_long_for_the_lock_leaves_the_next_one_free(
    postgres_url: str,
) -> None:
    import sqlalchemy as sa

    store, _ = _appended_on_postgresql(postgres_url)
    look = store._writer._look
    assert look is not None
    look.command("SET lock_timeout = '200ms'")
    with store.engine.connect() as holder:
        holder.execute(sa.text("LOCK TABLE events IN EXCLUSIVE MODE"))
        with pytest.raises(sa.exc.OperationalError) as waited:
            store.append("acme", [term_set("a")])
        holder.rollback()
    store.append("acme", [term_set("b")])
    versions = [(r.version, r.event.id) for r in store.read("acme")]
    store.close()

    assert "lock timeout" in str(waited.value)
    assert versions == [(1, "acme-created"), (2, "b")]


def test_a_store_with_no_connection_to_keep_asks_for_one_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []

    def counted(engine: object) -> object:
        asked.append(engine)
        return writer_connection(engine)  # type: ignore[arg-type]

    monkeypatch.setattr(engines, "writer_connection", counted)
    engine = create_engine("sqlite://")
    ensure_schema(engine)
    store = EventStore(engine)
    store.append("acme", [created()])
    store.append("acme", [term_set("a")])
    store.append("acme", [term_set("b")])
    versions = [r.version for r in store.read("acme")]
    store.close()

    assert (len(asked), versions) == (1, [1, 2, 3])
