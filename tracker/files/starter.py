"""The starter file `tracker init` writes: a small agreement, commented, that imports as is."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tracker.errors import FileFormatError

SCHEMA_FILE = "agreement.schema.json"

TEMPLATE = """\
# yaml-language-server: $schema=./{schema}
# An agreement file for `tracker import {agreement}.yaml`. Editors with the YAML language
# server validate and complete it from {schema} (`tracker schema > {schema}`).
# Events may come in any order; ids make importing the file again harmless.

agreement: {agreement}          # the agreement's id: lower case, digits and dashes
title: {title}
parties:                        # who is bound, and in what role
  - {{name: First party, role: supplier}}
  - {{name: Second party, role: buyer}}

sources:                        # where facts come from; cite them by id
  - id: {agreement}-contract
    title: The signed contract
    published: {today}
    # url: https://example.org/contract   # cited by URL: citations carry no quote
    # file: sources/contract.txt          # stored text: every citation must quote it

events:
  - id: {agreement}-created
    type: agreement.created     # the first event of every agreement
    effective: {today}          # the date it takes effect (2025-06-01, 2025-06 or 2025)
    title: {title}              # the same title and parties as above
    parties:
      - {{name: First party, role: supplier}}
      - {{name: Second party, role: buyer}}
    sources:
      - {{source: {agreement}-contract}}

  - id: {agreement}-price
    type: term.set              # a term takes a value: added, or replacing the one in force
    effective: {today}
    term: price.per_unit        # a dotted key for the clause
    summary: Ten euros a unit, fixed for a year
    value: {{amount: 10, currency: EUR}}
    expires: {next_year}        # last day in force (leave out when open-ended)
    certainty: confirmed        # confirmed, reported or rumored
    sources:
      - {{source: {agreement}-contract}}

  # Other event types: term.amended (some fields change), term.affirmed (a source says
  # a term is unchanged), term.ended (reason: expired, terminated, waived or superseded),
  # term.proposed and proposal.resolved, note.recorded, event.retracted and
  # event.corrected (to change an event already imported). `tracker schema` lists them all.
"""


def starter(agreement: str, today: dt.date) -> str:
    """The starter file's text for a new agreement."""
    next_year = today.replace(year=today.year + 1) - dt.timedelta(days=1)
    title = agreement.replace("-", " ").capitalize()
    return TEMPLATE.format(
        agreement=agreement, title=title, today=today, next_year=next_year, schema=SCHEMA_FILE
    )


def write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet; a failure is a one-line FileFormatError."""
    try:
        with path.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError as e:
        raise FileFormatError(f"{path} already exists; choose another name or folder") from e
    except OSError as e:
        raise FileFormatError(f"cannot write {path}: {e.strerror or e}") from e
