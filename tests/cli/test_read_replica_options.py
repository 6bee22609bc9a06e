"""The read replica's options refused before any server is reached: `--read-db` and
TRACKER_READ_DATABASE_URL name a PostgreSQL replica of a PostgreSQL primary, and
`--replica-only` and `--max-lag` need one. (Reads on a real replica: the integration tests.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracker.cli import cli
from tracker.errors import DatabaseError
from tracker.service import Tracker

PRIMARY = "postgresql://postgres@127.0.0.1:1/tracker"  # never reached: refused before


def run(*args: str, **env: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


def test_a_read_replica_of_a_sqlite_database_is_refused_in_one_line(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'tracker.db'}"

    result = run("state", "--db", database, "--read-db", PRIMARY)

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: a read replica needs a PostgreSQL primary; the database is {database!r}\n"
    )


def test_a_read_replica_that_is_not_postgresql_is_refused_in_one_line() -> None:
    result = run("state", "--db", PRIMARY, "--read-db", "sqlite:///replica.db")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the read replica must be a PostgreSQL database (postgresql://...), not "
        "'sqlite:///replica.db'\n"
    )


def test_tracker_read_database_url_names_the_replica_as_read_db_does() -> None:
    result = run("log", "--db", PRIMARY, TRACKER_READ_DATABASE_URL="sqlite:///replica.db")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "Error: the read replica must be a PostgreSQL database (postgresql://...), not "
        "'sqlite:///replica.db'\n"
    )


@pytest.mark.parametrize("option", [["--replica-only"], ["--max-lag", "5"]])
def test_replica_only_and_max_lag_need_a_read_replica(option: list[str]) -> None:
    result = run("agreements", "--db", PRIMARY, *option)

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        f"Error: {option[0]} needs --read-db (or TRACKER_READ_DATABASE_URL)"
    )


def test_a_negative_max_lag_is_bad_usage() -> None:
    result = run("agreements", "--db", PRIMARY, "--read-db", PRIMARY, "--max-lag", "-1")

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--max-lag': -1.0 is not in the range x>=0."
    )


def test_the_read_options_are_on_the_commands_that_read_and_not_on_those_that_write() -> None:
    reading = ["state", "diff", "explain", "log", "terms", "timeline", "upcoming", "export"]
    writing = ["import", "record", "retract"]

    helps = {name: run(name, "--help").stdout for name in [*reading, *writing]}

    assert [n for n in reading if "--read-db URL" in helps[n] and "--replica-only" in helps[n]] == (
        reading
    )
    assert [n for n in writing if "--read-db" in helps[n]] == []


def test_the_python_api_refuses_a_replica_of_sqlite_and_replica_only_without_one(
    tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'tracker.db'}"

    with pytest.raises(DatabaseError) as of_sqlite:
        Tracker.open(database, read_url=PRIMARY)
    with pytest.raises(DatabaseError) as without:
        Tracker.open(database, replica_only=True)

    assert str(of_sqlite.value) == (
        f"a read replica needs a PostgreSQL primary; the database is {database!r}"
    )
    assert str(without.value) == "replica only: name the replica to read (--read-db)"
    assert not (tmp_path / "tracker.db").exists()
