"""Reads refuse a log whose stored dates SQLite would compare as other texts than the store
writes (see sql.WRITTEN): a filter on `recorded_at <= :known_at` or `effective <= :until`, or
an order by effective, compares the stored text, so a row rewritten as `20261206T112635.037639`
or `2025-W09-6` would be left out or misplaced without a word, though its hash, computed on
the value, still holds. `verify` names every such row; reads that filter on them refuse them
here, before they run, by one lookup in an index that holds only such rows."""

from __future__ import annotations

from tracker.errors import IntegrityError
from tracker.store import sql
from tracker.store.driver import Cursor, written_day, written_moment


def refuse_misspelled(look: Cursor, agreement: str | None) -> None:
    """Raise IntegrityError, one line naming the row, when an event of the agreement (of any
    agreement when None) holds an effective day or recorded_at moment not written as the
    store writes it. Nothing to do on PostgreSQL, whose columns hold values."""
    if not look.sqlite:
        return
    where = "" if agreement is None else "agreement = :agreement AND "
    found = look.rows(sql.MISSPELLED.format(where=where), {"agreement": agreement})
    if not found:
        return
    position, effective, recorded_at = found[0]
    raise IntegrityError(
        f"the stored event at position {position} is damaged ({_problem(effective, recorded_at)});"
        " run tracker verify"
    )


def _problem(effective: object, recorded_at: object) -> str:
    """What is wrong with the row's columns, as verify says it."""
    for column, value, written in (
        ("effective", effective, written_day),
        ("recorded_at", recorded_at, written_moment),
    ):
        try:
            written(value)
        except ValueError as e:
            return f"column {column} {e}"
    # Not reached: Python reads back as written only the texts of the shape SQL matches.
    return f"column effective holds {effective!r}, recorded_at {recorded_at!r}"
