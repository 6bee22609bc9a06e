"""Shared fixtures: the databases every store test runs on, a fixed clock, the shipped record."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.core.projector import project
from tracker.core.state import AgreementState, Recorded
from tracker.service import Tracker
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.log import EventStore

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "events" / "microsoft-openai.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden"
POSTGRES_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")
T0 = dt.datetime(2025, 2, 1, 9, 0, 0)


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
    monkeypatch.delenv("TRACKER_AGREEMENT", raising=False)


@pytest.fixture(autouse=True)
def _terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables are drawn for 100 columns, whatever terminal the tests run in."""
    monkeypatch.setenv("COLUMNS", "100")


def _postgres_schema_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    if not POSTGRES_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must run the PostgreSQL tests: set TRACKER_TEST_POSTGRES_URL")
        pytest.skip("TRACKER_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database, for what only PostgreSQL has (a server to lose)."""
    yield from _postgres_schema_url()


@pytest.fixture
def clock() -> Clock:
    """A fixed, advancing clock."""
    return Clock()


@pytest.fixture
def store(db_url: str, clock: Clock) -> Iterator[EventStore]:
    """An event store on a migrated, empty database."""
    engine = create_engine(db_url)
    ensure_schema(engine)
    store = EventStore(engine, clock)
    yield store
    store.close()  # its kept write connection too, which the engine's pool no longer holds
    engine.dispose()


@pytest.fixture
def tracker(store: EventStore) -> Tracker:
    """A tracker over the empty store."""
    return Tracker(store)


@pytest.fixture
def shipped(tracker: Tracker) -> Tracker:
    """A tracker holding the shipped Microsoft–OpenAI record."""
    tracker.import_file(RECORD)
    return tracker


@pytest.fixture
def record(tracker: Tracker) -> Tracker:
    """A tracker holding every file of the shipped record: the 2025 file and its amendments,
    as an empty default database loads them."""
    tracker.import_files(sorted((ROOT / "events").glob("*.yaml")))
    return tracker


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
