"""The peer: the same agreements kept with the `eventsourcing` library (the `bench` extra).

One `Aggregate` per agreement; its events carry what the tracker's do (term key, summary, value,
effective date, certainty, citations). SQLite files run in WAL mode (the library's own choice)
with `synchronous=FULL` set on every connection it opens, as the tracker's are.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder, Transcoding
from eventsourcing.sqlite import SQLiteConnectionPool

VERSION = "9.5.6"


class DateAsISO(Transcoding):
    """Dates as ISO strings, as the tracker stores them."""

    type = dt.date
    name = "date_iso"

    def encode(self, obj: dt.date) -> str:
        """The date as YYYY-MM-DD."""
        return obj.isoformat()

    def decode(self, data: str) -> dt.date:
        """The date back from YYYY-MM-DD."""
        return dt.date.fromisoformat(data)


class PeerAgreement(Aggregate):
    """An agreement: its title and, per term key, the latest value set."""

    @staticmethod
    def create_id(name: str) -> UUID:
        """The aggregate id of an agreement name."""
        return agreement_id(name)

    @event("Created")
    def __init__(self, name: str, title: str, effective: dt.date, parties: list[Any]) -> None:
        self.name = name
        self.title = title
        self.effective = effective
        self.parties = parties
        self.terms: dict[str, dict[str, Any]] = {}

    @event("TermSet")
    def set_term(
        self,
        term: str,
        summary: str,
        value: dict[str, Any],
        effective: dt.date,
        certainty: str,
        sources: list[Any],
    ) -> None:
        """Set a term's value from a date."""
        self.terms[term] = {
            "summary": summary,
            "value": value,
            "since": effective,
            "certainty": certainty,
            "sources": sources,
        }


class PeerApp(Application[UUID]):
    """The peer's application: dates transcoded like datetimes."""

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """The library's transcodings plus dates."""
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def agreement_id(name: str) -> UUID:
    """The aggregate id of an agreement name (stable, so any process finds it)."""
    return uuid5(NAMESPACE_URL, f"agreement:{name}")


_original_create = SQLiteConnectionPool._create_connection


def _create_durable(self: SQLiteConnectionPool) -> Any:
    """The library's connection, with durable commits in WAL mode."""
    connection = _original_create(self)
    connection._sqlite_conn.execute("PRAGMA synchronous=FULL")
    return connection


SQLiteConnectionPool._create_connection = _create_durable  # type: ignore[method-assign]


def open_sqlite(path: str, *, snapshots: bool = False) -> PeerApp:
    """The peer over a SQLite file (created when missing)."""
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
    if snapshots:
        env["IS_SNAPSHOTTING_ENABLED"] = "y"
    return PeerApp(env=env)


def open_postgres(dbname: str, host: str, port: int, user: str) -> PeerApp:
    """The peer over a PostgreSQL database (its tables created when missing)."""
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": host,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": user,
        "POSTGRES_PASSWORD": "",
    }
    return PeerApp(env=env)


def sqlite_settings(app: PeerApp) -> str:
    """The journal mode and synchronous level of the peer's SQLite connections."""
    with app.recorder.datastore.get_connection(commit=False) as conn:  # type: ignore[attr-defined]
        raw: sqlite3.Connection = conn._sqlite_conn
        journal = raw.execute("PRAGMA journal_mode").fetchone()[0]
        sync = raw.execute("PRAGMA synchronous").fetchone()[0]
    levels = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
    return f"journal_mode={journal}, synchronous={levels.get(int(sync), sync)}"


def created(name: str, effective: dt.date) -> PeerAgreement:
    """A new agreement aggregate, its creation pending."""
    parties = [{"name": "Alpha", "role": "licensor"}, {"name": "Beta", "role": "licensee"}]
    return PeerAgreement(name, f"Agreement {name}", effective, parties)


def set_terms(agreement: PeerAgreement, contents: Iterator[dict[str, Any]]) -> None:
    """Trigger one term-set event per content (pending until saved)."""
    for content in contents:
        agreement.set_term(**content)


@contextmanager
def closing(app: PeerApp) -> Iterator[PeerApp]:
    """Close the application's connections on leaving."""
    try:
        yield app
    finally:
        app.close()
