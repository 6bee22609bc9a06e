"""The limits: the same rows written and read with plain sqlite3 and psycopg, no library."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import psycopg

TABLE = """CREATE TABLE IF NOT EXISTS plain_events (
    agreement TEXT NOT NULL, version INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (agreement, version))"""
INSERT_SQLITE = "INSERT INTO plain_events VALUES (?, ?, ?, ?, ?)"
INSERT_PG = "INSERT INTO plain_events VALUES (%s, %s, %s, %s, %s)"
SELECT_SQLITE = "SELECT payload FROM plain_events WHERE agreement = ? ORDER BY version"


def _params(version: int, row: dict[str, Any]) -> tuple[str, int, str, str, str]:
    return row["agreement"], version, row["id"], row["type"], json.dumps(row)


class PlainSqlite:
    """A SQLite file in WAL mode with durable commits, written with executemany."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute(TABLE)

    def append(self, first_version: int, rows: Sequence[dict[str, Any]]) -> None:
        """Insert the rows (JSON-encoded here) in one transaction."""
        params = [_params(first_version + i, row) for i, row in enumerate(rows)]
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(INSERT_SQLITE, params)
        self.conn.execute("COMMIT")

    def read(self, agreement: str) -> list[Any]:
        """Fetch an agreement's payloads in order and decode them."""
        rows = self.conn.execute(SELECT_SQLITE, (agreement,)).fetchall()
        return [json.loads(payload) for (payload,) in rows]

    def checkpoint(self) -> None:
        """Move the WAL into the database file."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


class PlainPostgres:
    """A PostgreSQL table written with psycopg's executemany, one transaction per call."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        with self.conn.transaction():
            self.conn.execute(TABLE)

    def append(self, first_version: int, rows: Sequence[dict[str, Any]]) -> None:
        """Insert the rows (JSON-encoded here) in one transaction."""
        params = [_params(first_version + i, row) for i, row in enumerate(rows)]
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.executemany(INSERT_PG, params)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()
