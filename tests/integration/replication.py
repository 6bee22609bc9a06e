"""A PostgreSQL primary and its streaming replica, made for the tests from Debian's PostgreSQL
binaries (`initdb`, `pg_ctl`, `pg_basebackup -R`): run as the postgres user, in a temporary
folder of its own, on free local ports; stopped and removed by `close`, whatever happened."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

BINARIES = Path("/usr/lib/postgresql")
NEEDED = ("initdb", "pg_ctl", "pg_basebackup")
DATABASE = "tracker"
# The tests' own: durability is not under test, and nothing may commit behind their back
# (autovacuum's ANALYZE would move the replica's latest replayed commit).
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
hot_standby = on
max_wal_senders = 4
fsync = off
autovacuum = off
"""
REPLICATION = "host replication postgres 127.0.0.1/32 trust\n"


def unavailable(reason: str) -> None:
    """Under CI the replica tests must run: fail. Elsewhere, skip and say why."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the replica tests: {reason}")
    pytest.skip(reason)


def binaries() -> Path | None:
    """The newest installed PostgreSQL's bin folder that has every program needed."""
    found = sorted(
        (p / "bin" for p in BINARIES.glob("*") if p.name.isdigit()),
        key=lambda p: int(p.parent.name),
    )
    usable = [p for p in found if all((p / name).is_file() for name in NEEDED)]
    return usable[-1] if usable else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Pair:
    """A primary and its streaming replica, each with the database `tracker`."""

    def __init__(self, bin_folder: Path, as_postgres: list[str]) -> None:
        self.bin = bin_folder
        self.as_postgres = as_postgres
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-replication-"))
        owner = pwd.getpwnam("postgres")
        os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self.primary_port, self.replica_port = free_port(), free_port()
        self.primary_url = self.url(self.primary_port)
        self.replica_url = self.url(self.replica_port)

    @staticmethod
    def url(port: int, database: str = DATABASE) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [*self.as_postgres, *args], capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed: {done.stdout}{done.stderr}")

    def _pg_ctl(self, server: str, action: str, *more: str) -> None:
        data, log = self.folder / server, self.folder / f"{server}.log"
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", *more, action)

    def start(self) -> None:
        """Make the primary, its database, and the replica from a base backup of it."""
        primary = self.folder / "primary"
        self._run(
            str(self.bin / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(SETTINGS.format(port=self.primary_port, sockets=self.folder))
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write(REPLICATION)
        self._pg_ctl("primary", "start")
        with psycopg.connect(self.url(self.primary_port, "postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        self._run(
            str(self.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port),
            "-U", "postgres", "-D", str(self.folder / "replica"), "-R", "-X", "stream",
            "-c", "fast", "--no-sync",
        )  # fmt: skip
        with (self.folder / "replica" / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.start_replica()

    def start_replica(self) -> None:
        self._pg_ctl("replica", "start")

    def stop_replica(self) -> None:
        self._pg_ctl("replica", "stop", "-m", "immediate")

    def replica_running(self) -> bool:
        return (self.folder / "replica" / "postmaster.pid").exists()

    def on_replica(self, sql: str) -> object:
        with psycopg.connect(self.replica_url, autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
            return None if row is None else row[0]

    def primary_position(self) -> str:
        with psycopg.connect(self.primary_url, autocommit=True) as conn:
            row = conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()
            assert row is not None
            return str(row[0])

    def caught_up(self) -> None:
        """Wait for the replica to replay everything the primary has written."""
        target = self.primary_position()
        deadline = time.monotonic() + 30
        while self.on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{target}'") is not True:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the replica did not replay up to {target} in 30 s")
            time.sleep(0.01)

    def replayed_at(self) -> dt.datetime:
        """The replica's latest replayed commit: the primary's time of it, in naive UTC."""
        moment = self.on_replica("SELECT pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC'")
        assert isinstance(moment, dt.datetime)
        return moment

    def close(self) -> None:
        """Stop both servers at once and remove their folder."""
        for server in ("replica", "primary"):
            if (self.folder / server / "postmaster.pid").exists():
                with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                    self._pg_ctl(server, "stop", "-m", "immediate")  # the folder goes anyway
        shutil.rmtree(self.folder, ignore_errors=True)


def make_pair() -> Pair:
    """A running pair, or the test skipped (failed under CI) when it cannot be made here."""
    found = binaries()
    if found is None:
        unavailable(f"no PostgreSQL binaries ({', '.join(NEEDED)}) under {BINARIES}")
    assert found is not None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        unavailable("there is no postgres user to run the servers as")
    if os.geteuid() == 0:
        as_postgres = ["runuser", "-u", "postgres", "--"]
    elif pwd.getpwuid(os.geteuid()).pw_name == "postgres":
        as_postgres = []
    else:
        unavailable("starting PostgreSQL servers needs root (to run them as postgres) or postgres")
    pair = Pair(found, as_postgres)
    try:
        pair.start()
    except BaseException:
        pair.close()
        raise
    return pair
