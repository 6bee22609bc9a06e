"""Shared fixtures: the databases every store test runs on, a fixed clock, the shipped record."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import settings
from msgspec.structs import replace

from tracker.core.projector import project
from tracker.core.state import AgreementState, Recorded
from tracker.service import Tracker
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.log import EventStore
from tracker.store.urls import sqlite_file

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "events" / "microsoft-openai.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden"
POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")
T0 = dt.datetime(2025, 2, 1, 9, 0, 0)

# Hypothesis's budget: "ci" draws as many examples as the property tests are meant to run
# with, "dev" a few, for the quick loop. TRACKER_HYPOTHESIS_PROFILE picks one; else CI
# being set picks "ci", and a developer's run gets "dev". Loaded here, before any test
# module is imported, so that each test's own `settings(...)` starts from it.
settings.register_profile("ci", max_examples=60)
settings.register_profile("dev", max_examples=10)
PROFILE = os.environ.get("TRACKER_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(PROFILE)


class Clock:
    """A clock the test moves by hand: every reading is a second after the last."""

    def __init__(self, start: dt.datetime = T0) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now

    def set(self, moment: dt.datetime) -> None:
        """The next reading is one second after `moment`."""
        self.now = moment


@pytest.fixture(autouse=True)
def _no_user_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the user's real data directory, database URL or default agreement."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("TRACKER_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_READ_DATABASE_URL", raising=False)
    monkeypatch.delenv("TRACKER_AGREEMENT", raising=False)


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are drawn for 100 columns, whatever terminal the tests run in."""
    monkeypatch.setenv("COLUMNS", "100")


def _worker_postgres_url() -> str | None:
    """The PostgreSQL database this test process uses: TRACKER_TEST_POSTGRES_URL's own in a
    serial run; under pytest-xdist, one of the worker's own, named after it and the worker
    (`tracker_ci_gw0`), created on first use and dropped when the worker ends. Schemas alone
    would not isolate workers: advisory locks and `pg_stat_activity` are per database, and a
    test ends the sessions that wait in its database."""
    global _worker_url
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not POSTGRES_URL or not worker:
        return POSTGRES_URL
    if _worker_url is None:
        base = sa.make_url(POSTGRES_URL)
        name = f"{base.database}_{worker}"
        _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        _worker_url = base.set(database=name).render_as_string(hide_password=False)
    return _worker_url


_worker_url: str | None = None


def _on_server(*statements: str) -> None:
    """Run statements outside a transaction (as CREATE and DROP DATABASE must be), connected
    to TRACKER_TEST_POSTGRES_URL's database."""
    assert POSTGRES_URL is not None
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for statement in statements:
                conn.execute(sa.text(statement))
    finally:
        admin.dispose()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A worker drops the database it created."""
    if _worker_url is not None:
        name = sa.make_url(_worker_url).database
        _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    url = _worker_postgres_url()
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set TRACKER_TEST_POSTGRES_URL")
        pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


# The ways a store is opened: SQLite through SQLAlchemy (what writes take), SQLite read on
# sqlite3 alone (what the command line's reads of a SQLite file take, see
# `EventStore.reading_sqlite`), and PostgreSQL. A test of the store runs on each; a test
# that only needs a database URL, on each database.
DATABASES = ["sqlite", "postgresql"]
STORES = ["sqlite", "sqlite-plain", "postgresql"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        kinds = STORES if "store" in metafunc.fixturenames else DATABASES
        metafunc.parametrize("backend", kinds, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """How the test's database is opened: one of STORES."""
    kind: str = request.param
    return kind


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if backend == "postgresql":
        yield from _postgres_schema_url()
    else:
        yield f"sqlite:///{tmp_path / 'tracker.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database, for what only PostgreSQL has (a server to lose)."""
    yield from _postgres_schema_url()


@pytest.fixture
def clock() -> Clock:
    """A fixed, advancing clock."""
    return Clock()


@pytest.fixture
def store(db_url: str, backend: str, clock: Clock) -> Iterator[EventStore]:
    """An event store on a migrated, empty database, opened as `backend` says."""
    engine = create_engine(db_url)
    ensure_schema(engine)
    if backend == "sqlite-plain":
        engine.dispose()
        store = plain_store(db_url, clock)
    else:
        store = EventStore(engine, clock)
    yield store
    store.close()  # its kept write connection too, which the engine's pool no longer holds
    engine.dispose()


def plain_store(url: str, clock: Clock) -> EventStore:
    """The store the command line opens to read a SQLite file: reads on sqlite3, an engine
    opened only for writes. `reading_sqlite` declines an empty file, since the command line
    then takes the engine's path to load the shipped record into a new default; the test
    database starts empty, so that one check is left out here."""
    path = sqlite_file(url)
    assert path is not None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(EventStore, "is_empty", lambda self: False)
        store = EventStore.reading_sqlite(path, lambda: create_engine(url, create=False), clock)
    assert store is not None
    return store


@pytest.fixture
def tracker(store: EventStore) -> Tracker:
    """A tracker over the empty store."""
    return Tracker(store)


@pytest.fixture
def shipped(loaded: Loader) -> Tracker:
    """A tracker holding the shipped Microsoft–OpenAI record."""
    return loaded("shipped", lambda tracker: tracker.import_file(RECORD))


@pytest.fixture
def record(loaded: Loader) -> Tracker:
    """A tracker holding every file of the shipped record: the 2025 file and its amendments,
    as an empty default database loads them."""
    files = sorted((ROOT / "events").glob("*.yaml"))
    return loaded("record", lambda tracker: tracker.import_files(files))


Loader = Callable[[str, Callable[[Tracker], object]], Tracker]
_LOADED: dict[str, tuple[Path, dt.datetime]] = {}  # this process's SQLite copies, by name


@pytest.fixture
def loaded(
    tracker: Tracker,
    db_url: str,
    backend: str,
    clock: Clock,
    tmp_path_factory: pytest.TempPathFactory,
) -> Loader:
    """Load the tracker's empty database with `load`. On SQLite the first test of a process
    loads it and keeps a copy; later tests get that copy, written into their database with
    SQLite's backup (the store's connections stay open and see it), and the clock set where
    loading left it: the same rows, recorded at the same moments, without the import's time
    in every test."""

    def load_as(name: str, load: Callable[[Tracker], object]) -> Tracker:
        path = sqlite_file(db_url)
        if backend == "postgresql" or path is None:
            load(tracker)
        elif name in _LOADED:
            kept, clock.now = _LOADED[name]
            _copy_sqlite(kept, path)
        else:
            load(tracker)
            kept = tmp_path_factory.mktemp("loaded") / f"{name}.db"
            _copy_sqlite(path, kept)
            _LOADED[name] = kept, clock.now
        return tracker

    return load_as


def _copy_sqlite(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as read, closing(sqlite3.connect(target)) as write:
        read.backup(write)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite database file that does not exist yet."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


def whole_log_state(
    agreement: str, records: list[Recorded], as_of: dt.date, known_at: dt.datetime
) -> AgreementState:
    """The state `Tracker.state` answers, folded from the whole log held at once: the
    projector's state, with the record's reach the core finds in the same log."""
    from tracker.core.coverage import coverage

    state = project(agreement, records, as_of, known_at)
    return replace(state, coverage=coverage(records, known_at))


def pinned(name: str, actual: object) -> object:
    """The pinned JSON of `name` in tests/golden; with TRACKER_UPDATE_GOLDEN set, pin
    `actual` first (then read the diff of the file before committing it)."""
    path = GOLDEN / name
    if os.environ.get("TRACKER_UPDATE_GOLDEN"):
        path.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return json.loads(path.read_text(encoding="utf-8"))
