"""Reads on a real streaming replica: a primary and its replica made from PostgreSQL's own
binaries for this module (see replication.py), written on the primary and read on the
replica through the command line and the Python API."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from tests.integration.replication import Pair, free_port, make_pair
from tracker import Tracker, event_from_dict
from tracker.cli import cli
from tracker.core.events import Event
from tracker.errors import DatabaseError
from tracker.store.log import utcnow

pytestmark = pytest.mark.slow

AS_OF = dt.date(2025, 2, 1)


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    """One primary and replica for the module, the tracker's schema made on the primary."""
    made = make_pair()
    try:
        Tracker.open(made.primary_url).close()
        made.caught_up()
        yield made
    finally:
        made.close()


@pytest.fixture
def replica(pair: Pair) -> Iterator[Pair]:
    """The pair, its replica running, replaying and caught up when the test starts and
    again when it ends, whatever the test did to it."""
    yield pair
    if not pair.replica_running():
        pair.start_replica()
    pair.on_replica("SELECT pg_wal_replay_resume()")
    pair.caught_up()


def events(agreement: str, summary: str = "Ten widgets a day") -> list[Event]:
    return [
        event_from_dict({
            "type": "agreement.created", "id": f"{agreement}-created", "agreement": agreement,
            "effective": "2025-01-01", "title": "Acme supply deal",
            "parties": [{"name": "Acme", "role": "supplier"}],
        }),
        event_from_dict({
            "type": "term.set", "id": f"{agreement}-volume", "agreement": agreement,
            "effective": "2025-02-01", "term": "supply.volume", "summary": summary,
            "value": {"per_day": 10},
        }),
    ]  # fmt: skip


def write(pair: Pair, agreement: str) -> None:
    """The agreement's events, written on the primary by a tracker without a replica."""
    with Tracker.open(pair.primary_url) as tracker:
        tracker.append(agreement, events(agreement))


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def summaries(result: Result) -> dict[str, str]:
    return {k: v["summary"] for k, v in json.loads(result.stdout)["terms"].items()}


def z(moment: dt.datetime) -> str:
    return f"{moment.isoformat()}Z"


def test_state_on_the_replica_is_known_at_its_latest_replayed_commit_in_json_and_table(
    replica: Pair,
) -> None:
    write(replica, "known-at")
    replica.caught_up()
    replayed = replica.replayed_at()
    reads = ["--db", replica.primary_url, "--read-db", replica.replica_url]

    as_json = run("state", "known-at", "--as-of", "2025-02-01", "--format", "json", *reads)
    as_table = run("state", "known-at", "--as-of", "2025-02-01", "--format", "table", *reads)

    assert (as_json.exit_code, as_json.stderr) == (0, "")
    assert json.loads(as_json.stdout)["known_at"] == z(replayed)
    assert summaries(as_json) == {"supply.volume": "Ten widgets a day"}
    assert (as_table.exit_code, as_table.stderr) == (0, "")
    assert as_table.stdout.splitlines()[:2] == [
        "known-at: Acme supply deal",
        f"as of 2025-02-01, as known at {z(replayed)}",
    ]


def test_terms_across_agreements_on_the_replica_is_known_at_its_latest_replayed_commit(
    replica: Pair,
) -> None:
    write(replica, "terms-known-at")
    replica.caught_up()
    replayed = replica.replayed_at()

    result = run(
        "terms", "supply.volume", "--as-of", "2025-02-01", "--format", "json",
        "--db", replica.primary_url, "--read-db", replica.replica_url,
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["known_at"] == z(replayed)


def test_a_read_of_the_replica_needs_nothing_of_the_primary(replica: Pair) -> None:
    write(replica, "primary-unneeded")
    replica.caught_up()
    nowhere = Pair.url(free_port())  # no server listens there

    result = run(
        "state", "primary-unneeded", "--as-of", "2025-02-01", "--format", "json",
        "--db", nowhere, "--read-db", replica.replica_url, "--replica-only",
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["known_at"] == z(replica.replayed_at())
    assert summaries(result) == {"supply.volume": "Ten widgets a day"}


def test_a_read_after_a_write_reads_it_on_the_replica_and_says_so(replica: Pair) -> None:
    with Tracker.open(replica.primary_url, read_url=replica.replica_url) as tracker:
        tracker.append("own-write", events("own-write"))
        written = replica.primary_position()
        state = tracker.state("own-write", AS_OF)
        served, notes = tracker.read_from, tracker.read_notes

    assert state.terms["supply.volume"].summary == "Ten widgets a day"
    assert state.known_at == replica.replayed_at()
    assert served == "replica"
    assert notes == [
        f"the replica {replica.replica_url} has replayed the write (WAL {written}); "
        "read the replica"
    ]


def test_a_read_after_a_write_waits_for_a_paused_replica_then_reads_the_primary_and_says_so(
    replica: Pair,
) -> None:
    replica.on_replica("SELECT pg_wal_replay_pause()")
    with Tracker.open(replica.primary_url, read_url=replica.replica_url, wait=1.0) as tracker:
        tracker.append("paused", events("paused"))
        written = replica.primary_position()
        started = time.monotonic()
        state = tracker.state("paused", AS_OF)
        waited = time.monotonic() - started
        on_primary, notes_then = tracker.read_from, tracker.read_notes
        replica.on_replica("SELECT pg_wal_replay_resume()")
        replica.caught_up()
        again = tracker.state("paused", AS_OF)
        served, notes = tracker.read_from, tracker.read_notes

    assert state.terms["supply.volume"].summary == "Ten widgets a day"
    assert waited >= 1.0
    assert on_primary == "primary"
    assert notes_then == [
        f"the replica {replica.replica_url} had not replayed the write (WAL {written}) after "
        "1 s; read the primary"
    ]
    assert again.terms["supply.volume"].summary == "Ten widgets a day"
    assert again.known_at == replica.replayed_at()
    assert served == "replica"
    assert notes == [
        *notes_then,
        f"the replica {replica.replica_url} has replayed the write (WAL {written}); "
        "read the replica",
    ]


def test_replica_only_fails_a_read_after_a_write_the_paused_replica_has_not_replayed(
    replica: Pair,
) -> None:
    replica.on_replica("SELECT pg_wal_replay_pause()")
    with Tracker.open(
        replica.primary_url, read_url=replica.replica_url, replica_only=True, wait=0.2
    ) as tracker:
        tracker.append("paused-only", events("paused-only"))
        written = replica.primary_position()
        with pytest.raises(DatabaseError) as refused:
            tracker.state("paused-only", AS_OF)

    assert str(refused.value) == (
        f"the replica {replica.replica_url} had not replayed the write (WAL {written}) after "
        "0.2 s; reads are replica only, so the primary is not read"
    )


def test_a_stopped_replica_leaves_the_read_to_the_primary_in_one_line(replica: Pair) -> None:
    write(replica, "stopped")
    replica.stop_replica()

    result = run(
        "state", "stopped", "--as-of", "2025-02-01", "--format", "json",
        "--db", replica.primary_url, "--read-db", replica.replica_url,
    )  # fmt: skip

    assert result.exit_code == 0
    assert summaries(result) == {"supply.volume": "Ten widgets a day"}
    assert result.stderr == (
        f"Note: the replica {replica.replica_url} cannot be reached (connection failed: "
        f'connection to server at "127.0.0.1", port {replica.replica_port} failed: Connection '
        "refused); read the primary\n"
    )


def test_a_stopped_replica_fails_a_replica_only_read_in_one_line(replica: Pair) -> None:
    write(replica, "stopped-only")
    replica.stop_replica()

    result = run(
        "state", "stopped-only", "--as-of", "2025-02-01", "--format", "json",
        "--db", replica.primary_url, "--read-db", replica.replica_url, "--replica-only",
    )  # fmt: skip

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: the replica {replica.replica_url} cannot be reached (connection failed: "
        f'connection to server at "127.0.0.1", port {replica.replica_port} failed: Connection '
        "refused); reads are replica only, so the primary is not read\n"
    )


def test_a_replica_further_behind_than_max_lag_leaves_the_read_to_the_primary(
    replica: Pair,
) -> None:
    replica.on_replica("SELECT pg_wal_replay_pause()")
    write(replica, "behind")  # received by the replica, not replayed

    result = run(
        "state", "behind", "--as-of", "2025-02-01", "--format", "json", "--max-lag", "0",
        "--db", replica.primary_url, "--read-db", replica.replica_url,
    )  # fmt: skip

    assert result.exit_code == 0
    assert summaries(result) == {"supply.volume": "Ten widgets a day"}
    name = re.escape(replica.replica_url)
    assert re.fullmatch(
        rf"Note: the replica {name} is behind: it has WAL still to replay, and replayed its "
        r"latest commit \d+\.\d s ago \(more than the 0 s allowed\); read the primary\n",
        result.stderr,
    ), result.stderr


def test_a_question_as_of_a_moment_the_replica_has_not_replayed_reads_the_primary(
    replica: Pair,
) -> None:
    replica.on_replica("SELECT pg_wal_replay_pause()")
    write(replica, "later")
    replayed, asked = replica.replayed_at(), utcnow()
    with Tracker.open(replica.primary_url, read_url=replica.replica_url) as tracker:
        state = tracker.state("later", AS_OF, known_at=asked)
        served, notes = tracker.read_from, tracker.read_notes

    assert state.terms["supply.volume"].summary == "Ten widgets a day"
    assert served == "primary"
    assert notes == [
        f"the replica {replica.replica_url} has replayed up to {z(replayed)}, not up to the "
        f"moment asked, {z(asked)}; read the primary"
    ]


def test_a_read_db_that_is_no_replica_leaves_the_read_to_the_primary(replica: Pair) -> None:
    write(replica, "no-replica")

    result = run(
        "agreements", "--format", "json",
        "--db", replica.primary_url, "--read-db", replica.primary_url,
    )  # fmt: skip

    assert result.exit_code == 0
    assert "no-replica" in [a["agreement"] for a in json.loads(result.stdout)]
    assert result.stderr == (
        f"Note: {replica.primary_url} is not a replica (it is not in recovery); read the primary\n"
    )
