"""Commands that look after the database and the file format: db, verify, schema."""

from __future__ import annotations

import json

import click

from tracker.cli.app import (
    cli,
    db_option,
    open_tracker,
)


@cli.group()
def db() -> None:
    """Database schema migrations (Alembic).

    Example: tracker db upgrade --db postgresql://localhost/tracker
    """


@db.command()
@click.argument("revision", default="head")
@db_option
def upgrade(revision: str, db_url: str | None) -> None:
    """Migrate the database up (default: to the latest revision).

    Example: tracker db upgrade
    """
    from tracker.service import migrate

    click.echo(f"database at revision {migrate(db_url, revision, up=True)}", err=True)


@db.command()
@click.argument("revision", default="base")
@db_option
def downgrade(revision: str, db_url: str | None) -> None:
    """Migrate the database down (default: to an empty schema). Destroys the data it drops.

    Example: tracker db downgrade base
    """
    from tracker.service import migrate

    click.echo(f"database at revision {migrate(db_url, revision, up=False) or 'base'}", err=True)


@db.command()
@db_option
def current(db_url: str | None) -> None:
    """Print the database's schema revision (`base` when it has none).

    Example: tracker db current
    """
    from tracker.service import current_revision

    click.echo(current_revision(db_url) or "base")


@cli.command()
@click.argument("agreement", required=False)
@db_option
def verify(agreement: str | None, db_url: str | None) -> None:
    """Recompute the hash chains; exit 1 naming the first event changed behind our back.

    Example: tracker verify microsoft-openai
    """
    checked = open_tracker(db_url).verify(agreement)
    click.echo(f"ok: {checked} events, hash chains intact", err=True)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of agreement files.

    Example: tracker schema > agreement.schema.json
    """
    from tracker.service import file_schema

    click.echo(json.dumps(file_schema(), indent=2))
