"""The database's own guards: the triggers that refuse an UPDATE, DELETE (or, on PostgreSQL, a
TRUNCATE) of the append-only tables, as the migrations create them. `tracker verify` names
each one missing, disabled or changed; `tracker db upgrade` puts them back.

Dropping a guard takes write access, and so does putting one back: they stop accidents and
careless edits, and the hash chains catch the rest; a guard found missing says the database
was opened behind the tracker's back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec

from tracker.store import sql
from tracker.store.driver import Cursor

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_TABLES = ("events", "sources")


class Guard(msgspec.Struct, frozen=True):
    """One trigger: its name, its table, and the statement that creates it."""

    name: str
    table: str
    create: str


def _sqlite(table: str, action: str) -> Guard:
    name = f"{table}_no_{action.lower()}"
    create = (
        f"CREATE TRIGGER {name} BEFORE {action} ON {table}\n"
        f"       BEGIN SELECT RAISE(ABORT, '{table} are append-only: {action} refused'); END"
    )
    return Guard(name, table, create)


SQLITE = tuple(_sqlite(table, action) for table in _TABLES for action in ("UPDATE", "DELETE"))


def _function(table: str) -> str:
    """The PostgreSQL function every trigger of a table runs (as migrations 0001 and 0003
    create it)."""
    return (
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        f"       BEGIN RAISE EXCEPTION '{table} are append-only: % refused', TG_OP; END $$"
    )


# PostgreSQL's triggers, with the type pg_trigger records for each (bits: 1 row, 2 before,
# 8 delete, 16 update, 32 truncate).
POSTGRESQL = tuple(
    guard
    for table in _TABLES
    for guard in (
        Guard(
            f"{table}_no_update_delete",
            table,
            f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}\n"
            f"       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        ),
        Guard(
            f"{table}_no_truncate",
            table,
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}\n"
            f"       FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        ),
    )
)
_TYPES = {"no_update_delete": 1 | 2 | 8 | 16, "no_truncate": 2 | 32}


def _words(statement: object) -> str:
    """A statement with its white space made single spaces: how it was indented is not what
    it does."""
    return re.sub(r"\s+", " ", str(statement)).strip()


def broken(look: Cursor) -> list[Guard]:
    """The guards that are missing, disabled or not what the migrations create."""
    if look.sqlite:
        found = {
            name: (table, _words(created))
            for name, table, created in look.rows(sql.GUARDS_SQLITE_FOUND, {})
        }
        return [g for g in SQLITE if found.get(g.name) != (g.table, _words(g.create))]
    kept = set()
    for name, table, kind, fires, function, body in look.rows(sql.GUARDS_POSTGRESQL_FOUND, {}):
        expected_kind = _TYPES.get(name.removeprefix(f"{table}_"))
        whole = _words(body) == sql.GUARD_BODY.format(table=table)
        if kind == expected_kind and fires and function == f"{table}_append_only" and whole:
            kept.add((name, table))
    return [g for g in POSTGRESQL if (g.name, g.table) not in kept]


def check(look: Cursor) -> list[str]:
    """One line for each guard missing, disabled or changed."""
    return [
        f"guard: the trigger {g.name} on {g.table} is missing or changed: the database no "
        "longer refuses to change its rows (tracker db upgrade puts it back)"
        for g in broken(look)
    ]


def restore(look: Cursor) -> list[str]:
    """Put back each guard missing, disabled or changed (in the cursor's transaction); return
    their names."""
    guards = broken(look)
    for guard in guards:
        if look.sqlite:
            look.command(f"DROP TRIGGER IF EXISTS {guard.name}")
        else:
            look.command(_function(guard.table))
            look.command(f"DROP TRIGGER IF EXISTS {guard.name} ON {guard.table}")
        look.command(guard.create)
    return [guard.name for guard in guards]


def put_back(engine: Engine) -> list[str]:
    """Restore the guards of a database at the current schema (`tracker db upgrade`); at an
    older revision they are the migrations' to create. Return the names put back."""
    from tracker.store import engines, urls

    if engines.current_revision(engine) != urls.SCHEMA_REVISION:
        return []
    with engine.begin() as conn:
        return restore(Cursor.of(conn))
