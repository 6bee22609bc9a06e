"""The database schema: the one MetaData and its tables (Alembic migrations build the same)."""

from __future__ import annotations

import sqlalchemy as sa

from tracker.store import sql

metadata = sa.MetaData()

events_table = sa.Table(
    "events",
    metadata,
    # The event's place in the whole log (one order across agreements, as appends commit):
    # unique, given by the append under its write lock, but not a key, so that the log can
    # be distributed by agreement (see "Scaling out" in the README); `verify` checks it.
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
    sa.Column("id", sa.String(200), nullable=False),
    sa.Column("agreement", sa.String(100), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("schema_version", sa.Integer(), nullable=False),
    sa.Column("effective", sa.Date(), nullable=False),
    sa.Column("announced", sa.Date(), nullable=True),
    sa.Column("target", sa.String(200), nullable=True),
    sa.Column("recorded_at", sa.DateTime(), nullable=False),
    sa.Column("payload", sa.Text(), nullable=False),
    # The SHA-256 of the row chained to the hash of the event before it in its agreement (by
    # version; see tracker.store.codec), as 32 bytes: the link is the order, not a column.
    sa.Column("hash", sa.LargeBinary(), nullable=False),
    sa.Column("hash_version", sa.Integer(), nullable=False, server_default="1"),
    # Every key leads with the agreement: an event is its agreement's version; its id is
    # unique within its agreement.
    sa.PrimaryKeyConstraint("agreement", "version", name="pk_events"),
    sa.UniqueConstraint("agreement", "id", name="uq_events_agreement_id"),
    sa.Index("ix_events_agreement_effective", "agreement", "effective", "position"),
    # The whole log in order (following it, its last position), and the term index's rows
    # to their events (by position and agreement, so that a join on both takes this index):
    # not unique, which a table distributed by agreement may have.
    sa.Index("ix_events_position", "position", "agreement"),
)
# Retractions and corrections by agreement and the event they aim at; the other events
# (nearly all) have no target, and no entry.
_AIMED = events_table.c.target.is_not(None)
sa.Index(
    "ix_events_target",
    events_table.c.agreement,
    events_table.c.target,
    sqlite_where=_AIMED,
    postgresql_where=_AIMED,
)
# Each agreement's reviews, from which every read finds how far its record reaches.
_REVIEWED = events_table.c.type == sa.literal_column("'record.reviewed'")
sa.Index(
    "ix_events_reviewed",
    events_table.c.agreement,
    events_table.c.effective,
    sqlite_where=_REVIEWED,
    postgresql_where=_REVIEWED,
)
# SQLite only: the events whose effective or recorded_at is not written as the store writes it,
# none in a sound log, which reads look up to refuse (see sql.WRITTEN). PostgreSQL's date and
# timestamp columns hold values, which have one spelling.
sa.Index(
    "ix_events_misspelled",
    events_table.c.agreement,
    sqlite_where=sa.text(f"NOT ({sql.WRITTEN})"),
).ddl_if(dialect="sqlite")
_ONLY_ON = {"ix_events_misspelled": "sqlite"}  # objects built on one database alone


def built_on(name: str | None, dialect: str) -> bool:
    """Whether the schema object of this name is built on this database (Alembic compares
    only those: it does not heed `ddl_if`)."""
    return _ONLY_ON.get(name or "", dialect) == dialect


sources_table = sa.Table(
    "sources",
    metadata,
    sa.Column("agreement", sa.String(100), primary_key=True),
    sa.Column("id", sa.String(100), primary_key=True),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("publisher", sa.Text(), nullable=True),
    sa.Column("url", sa.Text(), nullable=True),
    sa.Column("published", sa.Date(), nullable=True),
    sa.Column("file", sa.Text(), nullable=True),
    sa.Column("derived_from", sa.String(100), nullable=True),
    sa.Column("text", sa.Text(), nullable=True),
    sa.Column("sha256", sa.String(64), nullable=True),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("agreement", "seq", name="uq_sources_agreement_seq"),
)

# Which events concern which term: every event of a group (a fact with the retractions and
# corrections aimed at it) under every term any version of the fact names. Derived from the
# log, kept up to date on append, checked by `tracker verify`. `kind` is `set` for a term.set
# and `fact` for another fact alone in its group (whose dates then place it: `first`, `last`),
# `group` for every event of a group with retractions or corrections (always replayed).
term_events_table = sa.Table(
    "term_events",
    metadata,
    sa.Column("term", sa.String(100), primary_key=True),
    sa.Column("agreement", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
    sa.Column("kind", sa.String(5), nullable=False),
    sa.Column("first", sa.Integer(), nullable=False),  # day numbers (date.toordinal)
    sa.Column("last", sa.Integer(), nullable=False),
    sqlite_with_rowid=False,  # one B-tree, by term and agreement: half a rowid table's writes
)

# Derived data, stored answers of `tracker terms` (see tracker.store.answers), kept on append
# and checked by `tracker verify`. Per term and agreement: the term.set that alone answers the
# term from its day on (`position`, its day number `day`; NULL when replay must answer: see
# `answers.step`), and the last day any other event of the term reaches (`reach`).
term_latest_table = sa.Table(
    "term_latest",
    metadata,
    sa.Column("term", sa.String(100), primary_key=True),
    sa.Column("agreement", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("day", sa.Integer(), nullable=True),
    sa.Column("reach", sa.Integer(), nullable=False),
    sqlite_with_rowid=False,
)
# Per agreement: the fact its record reaches to when no review, retraction or correction has
# a say (`position`, and the last day of its date `day`; NULL when one has).
reaches_table = sa.Table(
    "reaches",
    metadata,
    sa.Column("agreement", sa.String(100), primary_key=True),
    sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
    sa.Column("day", sa.Integer(), nullable=True),
    sqlite_with_rowid=False,
)

# Derived data: one agreement's fold at a version (see tracker.core.snapshot); dropping every
# row changes no answer.
snapshots_table = sa.Table(
    "snapshots",
    metadata,
    sa.Column("agreement", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("cutoff", sa.Date(), nullable=False),
    sa.Column("format", sa.Integer(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
)
