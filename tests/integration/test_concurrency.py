"""Several users at once, on SQLite and PostgreSQL: first users of a new database, writers
without --expected-version, and a writer that waits on a held lock."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import RECORD
from tracker.service import Tracker, database_error
from tracker.store import urls

CREATED = {
    "type": "agreement.created",
    "id": "acme-created",
    "effective": "2025-01-01",
    "title": "Acme supply deal",
    "parties": [{"name": "Acme", "role": "supplier"}],
}
TRACKER = str(Path(sys.executable).with_name("tracker"))

# Each test races `tracker` processes; together they take a minute.
pytestmark = pytest.mark.slow
ROUNDS = 12  # races of an end against an amendment


def at_once(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Run `tracker` with each argument list, in as many processes at once."""
    env = {**os.environ}
    processes = [
        subprocess.Popen(
            [TRACKER, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        for args in commands
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return results


def test_first_users_of_a_new_database_all_succeed_and_one_writes(db_url: str) -> None:
    results = at_once([["import", str(RECORD), "--db", db_url]] * 4)

    assert [r.returncode for r in results] == [0] * 4, [r.stderr for r in results]
    assert sorted(r.stderr.split(": ", 1)[1] for r in results) == [
        "0 events written, 29 already present (version 29)\n",
    ] * 3 + ["29 events written, 0 already present (version 29)\n"]


def test_the_shipped_record_is_loaded_by_one_first_user(tmp_path: Path) -> None:
    results = at_once([["agreements", "--format", "json"]] * 4)

    assert [r.returncode for r in results] == [0] * 4
    assert [r.stderr for r in results if r.stderr] == [
        f"new database at {tmp_path / 'xdg-data' / 'tracker' / 'tracker.db'}; "
        "loaded the shipped record from events/\n"
    ]
    assert all('"version": 67' in r.stdout for r in results)


def test_eight_concurrent_records_without_expected_version_all_succeed(db_url: str) -> None:
    with Tracker.open(db_url) as tracker:
        tracker.record("acme", CREATED)
    note = ["record", "--type", "note.recorded", "--effective", "2025-02-01", "--db", db_url]

    results = at_once([[*note, "--note", f"note {i}"] for i in range(8)])

    assert [r.returncode for r in results] == [0] * 8, [r.stderr for r in results]
    assert sorted(int(r.stderr.rsplit(" ", 1)[1].rstrip(")\n")) for r in results) == list(
        range(2, 10)
    )


def test_the_same_note_on_the_same_day_in_two_agreements_gets_two_ids(db_url: str) -> None:
    note = {"type": "note.recorded", "effective": "2025-02-01", "note": "signed"}
    with Tracker.open(db_url) as tracker:
        tracker.record("acme", CREATED)
        tracker.record("beta", {**CREATED, "id": "beta-created", "title": "Beta"})

        first = tracker.record("acme", note)
        second = tracker.record("beta", note)

    assert (first.written, second.written) == (True, True)
    assert first.event != second.event


def test_a_writer_gives_up_on_a_held_lock_with_one_line(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(urls, "LOCK_TIMEOUT_MS", 300)
    with Tracker.open(db_url) as tracker, tracker.store.engine.connect() as holder:
        tracker.record("acme", CREATED)
        _hold_write_lock(holder)

        with pytest.raises(sa.exc.OperationalError) as caught:
            tracker.record(
                "acme", {"type": "note.recorded", "effective": "2025-02-01", "note": "n"}
            )
        holder.rollback()
        version = tracker.store.version("acme")

    assert database_error(caught.value) == (
        "the database is busy: another writer held its lock for 0.3 s; try again"
    )
    assert version == 1


# The CLI with a lock timeout of WAIT_MS, timing itself from its start to its exit.
TIMED_CLI = (
    "import sys, time; from tracker.store import urls; urls.LOCK_TIMEOUT_MS = {wait_ms}\n"
    "from tracker.cli.app import main\n"
    "start = time.monotonic()\n"
    "try: main()\n"
    "finally: print(f'elapsed {{time.monotonic() - start:.3f}}', file=sys.stderr)"
)
WAIT_MS = 5000


def test_a_writer_waits_as_long_as_it_says_for_a_held_lock(db_url: str) -> None:
    with Tracker.open(db_url) as tracker, tracker.store.engine.connect() as holder:
        tracker.record("acme", CREATED)
        _hold_write_lock(holder)
        writer = subprocess.run(
            [sys.executable, "-c", TIMED_CLI.format(wait_ms=WAIT_MS), "record", "acme",
             "--type", "note.recorded", "--effective", "2025-02-01", "--note", "n",
             "--db", db_url],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        holder.rollback()

    message, elapsed = writer.stderr.splitlines()
    assert writer.returncode == 1
    assert message == "Error: the database is busy: another writer held its lock for 5 s; try again"
    # It waited the time it tells, and not once more while closing (which took twice as long):
    # the margin is for the rest of the command on a busy machine.
    assert WAIT_MS / 1000 <= float(elapsed.removeprefix("elapsed ")) < 1.9 * WAIT_MS / 1000


def _hold_write_lock(conn: sa.Connection) -> None:
    """Take the write lock an append needs, and keep it until rolled back."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("LOCK TABLE events IN EXCLUSIVE MODE"))
    else:
        conn.exec_driver_sql(
            "INSERT INTO sources (agreement, id, title, seq, prev_hash, hash)"
            " VALUES ('z', 'z', 'z', 1, '', '')"
        )


def test_a_lost_server_connection_is_one_line_without_driver_noise(postgres_url: str) -> None:
    with Tracker.open(postgres_url) as tracker:
        tracker.record("acme", CREATED)
        engine = tracker.store.engine
        with engine.connect() as holder, engine.connect() as admin:
            _hold_write_lock(holder)
            writer = subprocess.Popen(
                [TRACKER, "record", "acme", "--type", "note.recorded", "--effective",
                 "2025-02-01", "--note", "n", "--db", postgres_url],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            _terminate_the_waiting_writer(admin)
            _, stderr = writer.communicate(timeout=60)
            holder.rollback()
        version = tracker.store.version("acme")

    assert writer.returncode == 1
    assert stderr.startswith("Error: database error: terminating connection")
    assert stderr.count("\n") == 1
    assert version == 1


def _terminate_the_waiting_writer(admin: sa.Connection) -> None:
    """Wait for a session to wait on the events lock, then end it as a server shutdown does
    (only in this database: another suite on the same server has sessions of its own)."""
    waiting = sa.text(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE '%LOCK TABLE events%' AND datname = current_database()"
    )
    for _ in range(400):
        pids = admin.execute(waiting).scalars().all()
        admin.rollback()
        if pids:
            for pid in pids:
                admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
            return
        time.sleep(0.05)


def test_an_end_racing_an_amendment_of_the_same_term_lets_exactly_one_win(db_url: str) -> None:
    """The rule that an amendment applies to a term in force is decided inside the write's
    transaction: whichever writer commits second sees the other's event and is refused."""
    with Tracker.open(db_url) as tracker:
        tracker.record("acme", CREATED)
        for n in range(ROUNDS):
            term = {"type": "term.set", "id": f"set-{n}", "term": f"t.k{n}", "value": {}}
            tracker.record("acme", {**term, "effective": "2025-01-02", "summary": "set"})
    base = ["record", "acme", "--db", db_url]
    outcomes = []

    for n in range(ROUNDS):
        end = [*base, "--type", "term.ended", "--id", f"end-{n}", "--term", f"t.k{n}",
               "--reason", "terminated", "--effective", "2025-06-01"]  # fmt: skip
        amend = [*base, "--type", "term.amended", "--id", f"amend-{n}", "--term", f"t.k{n}",
                 "--changes", '{"cap": 1}', "--effective", "2025-07-01"]  # fmt: skip
        ended, amended = at_once([end, amend])
        outcomes.append((ended.returncode, amended.returncode))
        loser = amended if amended.returncode else ended
        assert loser.stderr.count("\n") == 1 and "unexpected" not in loser.stderr, loser.stderr

    assert sorted(set(outcomes)) <= [(0, 1), (1, 0)], outcomes
    with Tracker.open(db_url) as tracker:
        assert tracker.check().problems == []
