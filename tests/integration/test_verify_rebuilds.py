"""`tracker verify` checks what reads trust beyond the hash chains: the snapshots, rebuilt
from the log (their digest's recipe is public, so a forger can recompute it), and the
database's own guards, which `tracker db upgrade` puts back."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.integration.test_store import created, term_set
from tests.integration.test_tamper import drop_triggers
from tracker.cli import cli
from tracker.service import Tracker
from tracker.store import codec, snapshot_format
from tracker.store.log import EventStore


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", url])


def forge_snapshot(store: EventStore, edit: object) -> None:
    """Edit the stored snapshot's body and recompute its digest, as the recipe says."""
    with store.engine.begin() as conn:
        version, cutoff, body = conn.execute(
            sa.text("SELECT version, cutoff, body FROM snapshots WHERE agreement = 'acme'")
        ).one()
        head = conn.execute(
            sa.text("SELECT hash FROM events WHERE agreement = 'acme' AND version = :v"),
            {"v": version},
        ).scalar_one()
        day = dt.date.fromisoformat(cutoff) if isinstance(cutoff, str) else cutoff
        body = edit(body)  # type: ignore[operator]
        digest = snapshot_format.digest("acme", version, day, codec.hex_of(head), body)
        conn.execute(
            sa.text("UPDATE snapshots SET body = :body, digest = :digest"),
            {"body": body, "digest": digest},
        )


def test_a_forged_snapshot_with_its_digest_recomputed_is_named_by_verify(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    store.append("acme", [created(), term_set("a")])
    store.snapshot("acme")
    heads = tmp_path / "heads.json"
    assert run(db_url, "verify", "--write-heads", str(heads)).exit_code == 0
    forge_snapshot(store, lambda body: body.replace("Ten widgets", "Six widgets"))
    forged = Tracker(store).state("acme", as_of=dt.date(2025, 6, 1))

    result = run(db_url, "verify", "--against", str(heads))

    assert forged.terms["supply.volume"].summary == "Six widgets a day"  # reads trust it
    assert (result.exit_code, result.stdout.splitlines()[0]) == (
        1,
        "snapshot of 'acme' at version 2: differs from the snapshot its log gives: it was "
        "forged or is stale",
    )


def test_dropped_append_only_triggers_are_named_by_verify(store: EventStore, db_url: str) -> None:
    store.append("acme", [created(), term_set("a")])
    drop_triggers(store)

    result = run(db_url, "verify")

    names = (
        ["events_no_update", "events_no_delete", "sources_no_update", "sources_no_delete"]
        if db_url.startswith("sqlite")
        else ["events_no_update_delete", "sources_no_update_delete"]
    )
    tables = [name.split("_")[0] for name in names]
    assert result.exit_code == 1
    assert result.stdout.splitlines()[: len(names)] == [
        f"guard: the trigger {name} on {table} is missing or changed: the database no longer "
        "refuses to change its rows (tracker db upgrade puts it back)"
        for name, table in zip(names, tables, strict=True)
    ]


def test_a_trigger_replaced_by_one_that_never_fires_is_named_by_verify(
    store: EventStore, db_url: str
) -> None:
    store.append("acme", [created()])
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text("DROP TRIGGER events_no_delete"))
            conn.execute(
                sa.text("CREATE TRIGGER events_no_delete BEFORE DELETE ON events WHEN 0 BEGIN "
                        "SELECT RAISE(ABORT, 'events are append-only: DELETE refused'); END")
            )  # fmt: skip
            name = "events_no_delete"
        else:
            conn.execute(sa.text("ALTER TABLE events DISABLE TRIGGER events_no_truncate"))
            name = "events_no_truncate"

    problems = Tracker(store).check().problems

    assert problems == [
        f"guard: the trigger {name} on events is missing or changed: the database no longer "
        "refuses to change its rows (tracker db upgrade puts it back)"
    ]


def test_db_upgrade_puts_dropped_triggers_back(store: EventStore, db_url: str) -> None:
    store.append("acme", [created(), term_set("a")])
    drop_triggers(store)

    upgraded = run(db_url, "db", "upgrade")
    result = run(db_url, "verify")

    assert (upgraded.exit_code, result.exit_code) == (0, 0)
    refused = pytest.raises(sa.exc.DBAPIError, match="events are append-only: DELETE refused")
    with refused, store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM events WHERE id = 'a'"))
