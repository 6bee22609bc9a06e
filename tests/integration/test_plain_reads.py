"""Reads of a SQLite file on sqlite3 alone: the same answers as through SQLAlchemy, without
loading it."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import RECORD, ROOT
from tracker.service import Tracker
from tracker.store import urls
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.log import EventStore


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    path = tmp_path / "tracker.db"
    with Tracker.open(f"sqlite:///{path}") as tracker:
        tracker.import_file(RECORD)
    return path


def engine_for(path: Path) -> sa.Engine:
    return create_engine(f"sqlite:///{path}", create=False)


def test_plain_reads_answer_as_reads_through_sqlalchemy(loaded: Path) -> None:
    plain = EventStore.reading_sqlite(loaded, lambda: engine_for(loaded))
    full = EventStore(engine_for(loaded))
    assert plain is not None
    cases = [
        (None, None),
        (dt.date(2025, 1, 20), None),
        (dt.date(2025, 1, 21), dt.datetime(2099, 1, 1)),
        (None, dt.datetime(2000, 1, 1)),
    ]

    for until, known_at in cases:
        assert plain.read("microsoft-openai", until, known_at) == full.read(
            "microsoft-openai", until, known_at
        )
    assert plain.read_all(after=3, limit=5) == full.read_all(after=3, limit=5)
    assert plain.agreements() == full.agreements() == ["microsoft-openai"]
    assert plain.created() == full.created()
    assert plain.sources("microsoft-openai") == full.sources("microsoft-openai")
    assert plain.version("microsoft-openai") == full.version("microsoft-openai") == 29
    assert plain._engine is None  # nothing above opened SQLAlchemy's engine
    plain.close()
    full.close()


def test_a_file_the_engine_would_migrate_or_fill_is_not_read_plainly(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    ensure_schema(create_engine(f"sqlite:///{empty}"))
    old = tmp_path / "old.db"
    with sa.create_engine(f"sqlite:///{old}").begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('0001')"))

    assert EventStore.reading_sqlite(empty, lambda: engine_for(empty)) is None
    assert EventStore.reading_sqlite(old, lambda: engine_for(old)) is None
    assert EventStore.reading_sqlite(tmp_path / "missing.db", lambda: engine_for(empty)) is None


@pytest.mark.parametrize("command", [["state"], ["terms", "api.exclusivity"]])
def test_a_read_command_on_sqlite_loads_no_sqlalchemy(loaded: Path, command: list[str]) -> None:
    code = (
        "import sys\n"
        "from tracker.cli import cli\n"
        f"args = [*{command!r}, '--as-of', '2025-01-21', '--format', 'json', '--db', "
        f"'sqlite:///{loaded}']\n"
        "try:\n"
        "    cli.main(args, standalone_mode=False)\n"
        "finally:\n"
        "    print(sorted({'sqlalchemy', 'alembic'} & set(sys.modules)), file=sys.stderr)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )

    assert '"agreement": "microsoft-openai"' in result.stdout
    assert result.stderr == "[]\n"


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:///tracker.db",
        "sqlite:////abs/path/tracker.db",
        "sqlite+pysqlite:///rel/t.db",
        "sqlite:///file:/abs/t.db?mode=ro&uri=true",
        "sqlite:///t.db?timeout=5",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgresql+psycopg://u:p@h/db",
        "not a url",
    ],
)
def test_sqlite_file_reads_urls_as_sqlalchemy_does(url: str) -> None:
    try:
        parsed = sa.make_url(url)
        database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    except sa.exc.ArgumentError:
        database = None
    if database in (None, "", ":memory:"):
        expected = None
    else:
        expected = Path(database[5:] if database.startswith("file:") else database)

    assert urls.sqlite_file(url) == expected


def test_a_tracker_opened_for_reading_answers_another_thread_too(loaded: Path) -> None:
    import threading

    tracker = Tracker.open(f"sqlite:///{loaded}", create=False)
    day, known = dt.date(2025, 1, 21), dt.datetime(2099, 1, 1)
    here = tracker.state("microsoft-openai", day, known)
    there: list[object] = []

    def state() -> None:
        there.append(tracker.state("microsoft-openai", day, known))

    thread = threading.Thread(target=state)
    thread.start()
    thread.join()
    tracker.close()

    assert tracker.store._sqlite is None  # closed, and it was the plain connection above
    assert there == [here]
