"""Property: any single change to any column of any row fails `verify` against earlier heads."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import _postgres_schema_url
from tests.integration.test_store import created, term_set
from tests.integration.test_tamper import drop_triggers
from tracker.core import heads as heads_module
from tracker.core.events import Source, StoredSource
from tracker.core.provenance import sha256
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.integrity import check
from tracker.store.log import EventStore
from tracker.store.tables import events_table, sources_table

EXAMPLES = itertools.count()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database, copied for each example."""
    path = tmp_path_factory.mktemp("template") / "tracker.db"
    engine = create_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def source(id_: str, with_text: bool) -> StoredSource:
    text = f"The text of {id_}." if with_text else None
    return StoredSource(
        source=Source(id=id_, title=id_.title(), derived_from="s0" if id_ != "s0" else None),
        text=text,
        sha256=sha256(text) if text else None,
    )


def build(store: EventStore, sizes: list[int], texts: list[bool]) -> None:
    """Agreements of the given sizes, appended in batches of up to two events."""
    for n, size in enumerate(sizes):
        name = f"a{n}"
        sources = [source(f"s{i}", t) for i, t in enumerate(texts)]
        store.append(name, [created(name, f"{name}-created")], sources=sources)
        events = [term_set(f"{name}-{i}", agreement=name) for i in range(size)]
        for start in range(0, size, 2):
            store.append(name, events[start : start + 2])


def changed(value: Any, column: sa.Column[Any]) -> Any:
    """Another value of the same kind."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, dt.datetime):
        return value + dt.timedelta(microseconds=1)
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1:] != "0" else "1") if value else "x"
    if isinstance(value, bytes):
        return value[:-1] + bytes([value[-1] ^ 1]) if value else b"x"
    if isinstance(column.type, sa.Date):
        return dt.date(2020, 1, 1)
    return "x"


def mutate(store: EventStore, table: sa.Table, index: int, name: str) -> bool:
    """Change one column of one row; False when the database refuses the change (a clash)."""
    key = [c for c in table.primary_key.columns]
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(*key)).mappings().all()
    row = rows[index % len(rows)]
    value = changed(row[name], table.c[name])
    where = sa.and_(*(c == row[c.name] for c in key))
    try:
        with store.engine.begin() as conn:
            conn.execute(sa.update(table).where(where).values({name: value}))
    except sa.exc.IntegrityError:
        return False
    return True


@contextmanager
def database(kind: str, template: Path, folder: Path) -> Iterator[str]:
    """A migrated, empty database for one example: a copy of the SQLite template in a folder
    of its own under `folder`, or a fresh PostgreSQL schema."""
    if kind == "postgresql":
        yield from _postgres_schema_url()
        return
    path = folder / f"example-{next(EXAMPLES)}" / "tracker.db"
    path.parent.mkdir()
    shutil.copy(template, path)
    yield f"sqlite:///{path}"


def change_goes_unnoticed(
    url: str, sizes: list[int], texts: list[bool], in_sources: bool, index: int, column: str
) -> bool | None:
    """Build a log, keep its heads, change one column of one row; None when the database
    refuses the change, else whether verify against the kept heads still passes."""
    engine = create_engine(url)
    ensure_schema(engine)
    store = EventStore(engine)
    build(store, sizes, texts)
    table = sources_table if in_sources and texts else events_table
    before = check(engine)
    assert before.problems == []
    drop_triggers(store)
    try:
        if not mutate(store, table, index, column):
            return None
        after = check(engine)
        kept = before.heads()
        missing = heads_module.differences(kept, after.event_hashes, after.source_hashes, "f")
        return not (after.problems + missing)
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
@settings(
    # Each example builds a database: half the loaded profile's examples (30 in CI).
    max_examples=settings.default.max_examples // 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sizes=st.lists(st.integers(0, 4), min_size=1, max_size=2),
    texts=st.lists(st.booleans(), max_size=3),
    in_sources=st.booleans(),
    index=st.integers(0, 50),
    data=st.data(),
)
def test_any_single_change_fails_verify_against_earlier_heads(
    kind: str,
    template: Path,
    tmp_path: Path,
    sizes: list[int],
    texts: list[bool],
    in_sources: bool,
    index: int,
    data: st.DataObject,
) -> None:
    table = sources_table if in_sources and texts else events_table
    column = data.draw(st.sampled_from([c.name for c in table.columns]))

    with database(kind, template, tmp_path) as url:
        unnoticed = change_goes_unnoticed(url, sizes, texts, in_sources, index, column)

    assume(unnoticed is not None)
    assert not unnoticed, f"a change to {table.name}.{column} went unnoticed"
