"""Commands that look after the database and the file format: db, verify, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tracker.cli.app import (
    cli,
    db_option,
    open_tracker,
    today,
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
@click.option("--yes", is_flag=True, help="Do not ask: the data the downgrade drops is lost.")
@db_option
def downgrade(revision: str, yes: bool, db_url: str | None) -> None:
    """Migrate the database down (default: to an empty schema). Destroys the data it drops.

    Asks first on a terminal; elsewhere it needs --yes.

    Example: tracker db downgrade base --yes
    """
    from tracker.service import database_path, migrate

    if not yes:
        where = database_path(db_url)
        what = "every agreement, event and source" if revision == "base" else "the data it drops"
        if not sys.stdin.isatty():
            raise click.ClickException(
                f"downgrading {where} to {revision} deletes {what}; pass --yes to do it"
            )
        click.confirm(f"Downgrade {where} to {revision}, deleting {what}?", abort=True, err=True)
    click.echo(f"database at revision {migrate(db_url, revision, up=False) or 'base'}", err=True)


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
def backup(file: Path, db_url: str | None) -> None:
    """Copy a SQLite database, whole and consistent, into a new FILE (even while in use).

    Restore by pointing --db at the copy, or by copying it over the database.

    Example: tracker db backup tracker-2026-01-01.db
    """
    from tracker.service import backup as copy

    click.echo(f"backed up {copy(db_url, file)} to {file}", err=True)


@db.command()
@db_option
def path(db_url: str | None) -> None:
    """Print where the database is: a SQLite file's path, or the URL without its password.

    Example: tracker db path
    """
    from tracker.service import database_path

    click.echo(database_path(db_url))


@db.command()
@db_option
def current(db_url: str | None) -> None:
    """Print the database's schema revision (`base` when it has none).

    Example: tracker db current
    """
    from tracker.service import current_revision

    click.echo(current_revision(db_url) or "base")


@db.command()
@click.argument("agreement", required=False)
@db_option
def snapshot(agreement: str | None, db_url: str | None) -> None:
    """Write a snapshot of each agreement (or of AGREEMENT): its state folded at its latest
    version, so that reading it later skips the events before. Safe to interrupt: each
    agreement's snapshot is written in one transaction, and snapshots never change an answer.

    Example: tracker db snapshot microsoft-openai
    """
    tracker = open_tracker(db_url)
    for name in [agreement] if agreement is not None else tracker.store.agreements():
        tracker.snapshot(name)
        click.echo(f"wrote the snapshot of {name}", err=True)


@cli.command()
@click.argument("agreement", required=False)
@click.option(
    "--write-heads",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    default=None,
    help="Write each agreement's head to FILE, to keep outside the database.",
)
@click.option(
    "--against",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    default=None,
    help="Check that the heads in FILE (from --write-heads) are still in the chains.",
)
@db_option
def verify(
    agreement: str | None, write_heads: Path | None, against: Path | None, db_url: str | None
) -> None:
    """Recompute the hash chains of events and sources; print each agreement's head and a
    digest of the database; exit 1 naming every damaged row.

    Heads kept elsewhere (--write-heads, then later --against) also catch deleted events and
    a log rewritten with recomputed hashes.

    Example: tracker verify --write-heads heads.json; later: tracker verify --against heads.json
    """
    from tracker.cli.checks import report_verification

    if write_heads is not None and against is not None:
        raise click.UsageError("verify takes --write-heads or --against, not both")
    tracker = open_tracker(db_url)
    result = tracker.check(agreement, against)
    report_verification(result, against)
    if write_heads is not None:
        tracker.write_heads(write_heads, result.heads)
        click.echo(f"wrote the heads to {write_heads}", err=True)


@cli.command()
@click.argument("agreement")
@click.option(
    "--dir",
    "folder",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path(),
    help="Folder to write into (default: the current one).",
)
def init(agreement: str, folder: Path) -> None:
    """Write AGREEMENT.yaml, a commented starter file to edit and import, and the JSON
    Schema beside it that lets editors validate and complete it.

    Example: tracker init acme-supply
    """
    from tracker.service import init_file

    for path in init_file(agreement, folder, today()):
        click.echo(f"wrote {path}", err=True)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of agreement files.

    Example: tracker schema > agreement.schema.json
    """
    from tracker.service import file_schema

    click.echo(json.dumps(file_schema(), indent=2))
