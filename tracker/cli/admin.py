"""Commands that look after the database and the file format: db, verify, schema."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.app import (
    cli,
    db_option,
    open_tracker,
)

if TYPE_CHECKING:
    pass


@cli.group()
def db() -> None:
    """Database schema migrations (Alembic).

    Example: tracker db upgrade --db postgresql://localhost/tracker
    """


def _engine(db_url: str | None) -> Any:
    from tracker.store import engines

    return engines.create_engine(engines.resolve_url(db_url)[0])


@db.command()
@click.argument("revision", default="head")
@db_option
def upgrade(revision: str, db_url: str | None) -> None:
    """Migrate the database up (default: to the latest revision).

    Example: tracker db upgrade
    """
    from tracker.store import engines

    engine = _engine(db_url)
    engines.upgrade(engine, revision)
    click.echo(f"database at revision {engines.current_revision(engine)}", err=True)


@db.command()
@click.argument("revision", default="base")
@db_option
def downgrade(revision: str, db_url: str | None) -> None:
    """Migrate the database down (default: to an empty schema). Destroys the data it drops.

    Example: tracker db downgrade base
    """
    from tracker.store import engines

    engine = _engine(db_url)
    engines.downgrade(engine, revision)
    click.echo(f"database at revision {engines.current_revision(engine) or 'base'}", err=True)


@db.command()
@db_option
def current(db_url: str | None) -> None:
    """Print the database's schema revision (`base` when it has none).

    Example: tracker db current
    """
    from tracker.store import engines

    click.echo(engines.current_revision(_engine(db_url)) or "base")


@cli.command()
@click.argument("agreement", required=False)
@db_option
def verify(agreement: str | None, db_url: str | None) -> None:
    """Recompute the hash chains; exit 1 naming the first event changed behind our back.

    Example: tracker verify microsoft-openai
    """
    from tracker.store.integrity import verify as verify_chains

    tracker = open_tracker(db_url)
    if agreement is not None:
        tracker.store.require(agreement)
    checked = verify_chains(tracker.store.engine, agreement)
    click.echo(f"ok: {checked} events, hash chains intact", err=True)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of agreement files.

    Example: tracker schema > agreement.schema.json
    """
    from tracker.files.agreement import json_schema

    click.echo(json.dumps(json_schema(), indent=2))
