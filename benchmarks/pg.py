"""The PostgreSQL figures: batch and single appends against the peer and plain psycopg."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from figures import Check, Figure, Missing, Result, shown
from workload import Sizes, medians, writer
from writes import (
    BATCH,
    append_peer,
    append_plain,
    append_tracker,
    singles_peer,
    singles_plain,
    singles_tracker,
)


@dataclass(frozen=True, slots=True)
class Postgres:
    """A scratch PostgreSQL database for one run."""

    host: str
    port: int
    user: str
    dbname: str

    @property
    def url(self) -> str:
        """The database's URL."""
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.dbname}"


@contextmanager
def scratch_database(admin_url: str) -> Iterator[Postgres]:
    """A new database on the server of `admin_url`, dropped on leaving."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(admin_url)
    name = f"tracker_bench_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield Postgres(str(parts.get("host", "localhost")), int(parts.get("port", 5432)),
                       str(parts.get("user", "postgres")), name)  # fmt: skip
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def bench_postgres(admin_url: str | None, sizes: Sizes) -> list[Result]:
    """Batch and single appends on PostgreSQL, against the peer and plain psycopg."""
    names = ("PostgreSQL batch append", "PostgreSQL single append")
    if admin_url is None:
        return [shown(Missing(name, "--no-postgres")) for name in names]
    import psycopg

    try:
        with scratch_database(admin_url) as db:
            return postgres_figures(db, sizes)
    except psycopg.OperationalError as e:
        reason = f"cannot reach PostgreSQL: {str(e).strip().splitlines()[0]}"
        return [shown(Missing(name, reason)) for name in names]


def postgres_figures(db: Postgres, sizes: Sizes) -> list[Result]:
    """The PostgreSQL figures, rounds interleaved, on growing tables (new agreements)."""
    import peer
    from plain import PlainPostgres

    tracker = writer(db.url)
    store = tracker.store
    app = peer.open_postgres(db.dbname, db.host, db.port, db.user)
    plain = PlainPostgres(db.url)
    batch: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    single: dict[str, list[float]] = {"tracker": [], "peer": [], "plain": []}
    n, m = sizes.pg_long, sizes.pg_singles
    try:
        for r in range(sizes.rounds):
            batch["tracker"].append(n / append_tracker(store, f"long{r}", n))
            batch["peer"].append(n / append_peer(app, f"long{r}", n))
            batch["plain"].append(n / append_plain(plain, f"long{r}", n))
            single["tracker"].append(m / singles_tracker(store, f"single{r}", m))
            single["peer"].append(m / singles_peer(app, f"single{r}", m))
            single["plain"].append(m / singles_plain(plain, f"single{r}", m))
    finally:
        app.close()
        plain.close()
        tracker.close()
    return [
        shown(pg_figure(f"PostgreSQL batch append ({n:,} events, {BATCH:,} per transaction)",
                        "events/s", batch, "psycopg executemany")),
        shown(pg_figure(f"PostgreSQL single append ({m:,} per round)", "appends/s", single,
                        "psycopg commit loop")),
    ]  # fmt: skip


def pg_figure(name: str, unit: str, rates: dict[str, list[float]], limit_name: str) -> Figure:
    """A PostgreSQL rate figure: at least 1.2x the peer."""
    tracker, peer_, plain = medians(rates)
    checks = [Check("x peer", tracker / peer_, ">=", 1.2)]
    return Figure(name, unit, "rate", tracker, peer_, plain, limit_name, checks)
