"""Tamper evidence: recompute every hash chain (events and sources), name each damaged row,
and give the heads a user can keep elsewhere to catch truncation and re-chained forgeries."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import msgspec
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from tracker.core.events import CORRECTIONS
from tracker.core.heads import Head, Heads
from tracker.errors import IntegrityError
from tracker.store import codec, sql
from tracker.store.driver import Cursor, written_day, written_moment


class Report(msgspec.Struct):
    """What a check found: the rows checked, each problem (one line each), and the heads."""

    events: int = 0
    sources: int = 0
    problems: list[str] = msgspec.field(default_factory=list)
    event_hashes: dict[tuple[str, int], str] = msgspec.field(default_factory=dict)
    source_hashes: dict[tuple[str, int], str] = msgspec.field(default_factory=dict)

    def heads(self) -> Heads:
        """Each agreement's last event and last source, as stored."""
        versions, seqs = _last(self.event_hashes), _last(self.source_hashes)
        return Heads(
            tuple(
                Head(
                    agreement,
                    versions.get(agreement, 0),
                    self.event_hashes.get((agreement, versions.get(agreement, 0)), codec.GENESIS),
                    seqs.get(agreement, 0),
                    self.source_hashes.get((agreement, seqs.get(agreement, 0)), codec.GENESIS),
                )
                for agreement in sorted(versions.keys() | seqs.keys())
            )
        )


def _last(hashes: Mapping[tuple[str, int], str]) -> dict[str, int]:
    """The highest number (version or seq) of each agreement, in one pass."""
    last: dict[str, int] = {}
    for agreement, number in hashes:
        last[agreement] = max(number, last.get(agreement, 0))
    return last


def check(engine: Engine, agreement: str | None = None) -> Report:
    """Recompute every hash chain (or one agreement's) and report each damaged row; never
    raises on what the rows hold."""
    report = Report()
    with engine.connect() as conn:
        look = Cursor.of(conn)
        _check_events(look, agreement, report)
        _check_sources(look, agreement, report)
    return report


def audit(engine: Engine, agreement: str | None = None) -> Report:
    """What `tracker verify` checks: every hash chain (or one agreement's), then the data
    derived from the log that reads use (the term index, the stored answers, the snapshots),
    each rebuilt from the log, and the database's own guards; one problem per row (or guard)
    that differs."""
    from tracker.store import answers, guards, snapshots, terms

    report = Report()
    with engine.connect() as conn:
        look = Cursor.of(conn)
        _check_events(look, agreement, report)
        _check_sources(look, agreement, report)
        records = terms.logged(look, agreement)
        report.problems += terms.check(look, agreement, records)
        report.problems += answers.check(look, agreement, records)
        report.problems += snapshots.check(look, agreement)
        report.problems += guards.check(look)
    return report


def verify(engine: Engine, agreement: str | None = None) -> int:
    """Recompute every hash chain (or one agreement's); return how many events were checked.

    Raises IntegrityError naming the first damaged row (and how many more there are).
    """
    report = check(engine, agreement)
    if report.problems:
        more = len(report.problems) - 1
        raise IntegrityError(report.problems[0] + (f" (and {more} more)" if more else ""))
    return report.events


def _rows(
    look: Cursor,
    statement: str,
    names: tuple[str, ...],
    agreement: str | None,
    report: Report,
    what: str,
) -> Iterator[dict[str, Any]]:
    """The rows of a statement (of one agreement's rows when it is given) as dicts of the
    values the driver reads, as reads see them (SQLite's dates are text); a row SQLite cannot
    even hand back (text that is not UTF-8) ends the check with one problem, not a crash."""
    where = "" if agreement is None else " WHERE agreement = :agreement"
    statement = statement.format(where=where)
    count = 0
    chunks = look.stream(statement, {"agreement": agreement})
    while True:
        try:
            chunk = next(chunks, None)
        except sa.exc.DBAPIError as e:
            if not look.sqlite:  # a server lost is not a damaged row
                raise
            report.problems.append(
                f"the {what} row after the first {count} cannot be read: {_first_line(e.orig)}"
            )
            return
        if chunk is None:
            return
        for row in chunk:
            count += 1
            yield dict(zip(names, row, strict=True))


_WRONG_KIND = (ValueError, TypeError, AttributeError, OverflowError)


def _guarded(check: Callable[..., list[str]], *args: Any) -> list[str]:
    """A check's problems; a column of the wrong type is one more problem, not a crash."""
    try:
        return check(*args)
    except _WRONG_KIND as e:
        return [_wrong_kind(e)]


def _wrong_kind(error: BaseException) -> str:
    return f"a column holds a value of the wrong kind ({_first_line(error)})"


def _first_line(error: BaseException | None) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# The date and time columns, each read as the store writes it: another spelling of the same
# value is named (see driver.written_day), as reads refuse it.
_TIMES = {
    "effective": written_day,
    "announced": written_day,
    "published": written_day,
    "recorded_at": written_moment,
}


def _typed(row: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The row with its dates and times parsed (in place), and a problem for each that is
    not a date or time written as the store writes it."""
    problems = []
    for name, parse in _TIMES.items():
        if name not in row or (row[name] is None and name in ("announced", "published")):
            continue
        try:
            row[name] = parse(row[name])
        except ValueError as e:
            problems.append(f"column {name} {e}")
    return row, problems


class _Link(msgspec.Struct):
    """The row before the next one in an agreement's chain: the hashes the next row may be
    linked to are its stored hash and, when that was changed, the hash its content gives."""

    version: int = 0
    hashes: tuple[str, ...] = (codec.GENESIS,)
    position: int = 0
    hash_version: int = 1


def _check_events(look: Cursor, agreement: str | None, report: Report) -> None:
    previous: dict[str, _Link] = {}
    for raw in _rows(look, sql.CHECK_EVENTS, sql.CHECK_EVENT_COLUMNS, agreement, report, "event"):
        row, problems = _typed(raw)
        row["hash"] = codec.hex_of(row["hash"])
        link = previous.get(row["agreement"], _Link())
        expected = None
        if not problems:
            try:
                problems, expected = _event_problems(row, link)
            except _WRONG_KIND as e:
                problems = [_wrong_kind(e)]
        if problems:
            report.problems.append(
                f"agreement {row['agreement']!r}: event {row['id']!r} "
                f"(position {row['position']}, version {row['version']}): {'; '.join(problems)}"
            )
        hashes = (row["hash"],) if expected in (None, row["hash"]) else (row["hash"], expected)
        previous[row["agreement"]] = _Link(
            row["version"], hashes, row["position"], row["hash_version"]
        )
        if type(row["version"]) is int:  # a version column holding text is already a problem
            report.event_hashes[(row["agreement"], row["version"])] = row["hash"]
        report.events += 1
    for position, holder, id_ in look.rows(sql.CHECK_SHARED_POSITIONS, {}):
        if agreement in (None, holder):
            report.problems.append(
                f"agreement {holder!r}: event {id_!r} (position {position}): another event has"
                " this position (positions are unique across the log)"
            )


def _event_problems(row: Mapping[str, Any], link: _Link) -> tuple[list[str], str | None]:
    """What is wrong with one stored event, given the row before it in its chain, and the
    hash the row should have (None when it cannot be told)."""
    problems, expected = [], None
    version = row["version"]
    # A whole number out of sequence: the row before it in the chain is missing or doubled,
    # so the link to it cannot be checked (the version names the row).
    misplaced = type(version) is int and version != link.version + 1
    if version != link.version + 1:
        problems.append(f"version follows {link.version}: a gap or a duplicate")
    if row["position"] <= link.position:
        problems.append(f"position is not after the event before it ({link.position})")
    if row["hash_version"] not in (1, codec.HASH_VERSION):
        problems.append(f"unknown hash format {row['hash_version']!r}")
    elif row["hash_version"] < link.hash_version:
        problems.append(f"hash format {row['hash_version']} after format {link.hash_version}")
    elif not misplaced:
        expected = _expected_hash(row, link.hashes)
        if expected != row["hash"]:
            problems.append("hash differs from the recomputed hash: the row was changed")
    problem = _payload_problem(row)
    return problems + ([problem] if problem else []), expected


def _expected_hash(row: Mapping[str, Any], before: tuple[str, ...]) -> str:
    """The hash a row should have, linked to one of the hashes the row before it may have: a
    row whose hash alone was changed is named once, and the row after it is still checked."""
    digests = [codec.row_hash(row, prev) for prev in before]
    return row["hash"] if row["hash"] in digests else digests[0]


def _payload_problem(row: Mapping[str, Any]) -> str | None:
    """Whether the payload decodes, and agrees with the columns beside it."""
    try:
        event = codec.decode(row["payload"], row["type"], row["schema_version"])
    except codec.UndecodableError as e:
        return str(e)
    columns = {
        "id": event.id,
        "agreement": event.agreement,
        "type": event.type,
        "effective": event.effective.first,
        "announced": None if event.announced is None else event.announced.first,
        "target": event.target if isinstance(event, CORRECTIONS) else None,
    }
    for name, value in columns.items():
        if row[name] != value:
            return f"column {name} ({row[name]!r}) differs from the payload ({value!r})"
    return None


def _check_sources(look: Cursor, agreement: str | None, report: Report) -> None:
    previous: dict[str, tuple[int, str]] = {}
    for raw in _rows(
        look, sql.CHECK_SOURCES, sql.CHECK_SOURCE_COLUMNS, agreement, report, "source"
    ):
        row, problems = _typed(raw)
        seq, prev = previous.get(row["agreement"], (0, codec.GENESIS))
        problems = problems or _guarded(_source_problems, row, seq, prev)
        if problems:
            report.problems.append(
                f"agreement {row['agreement']!r}: source {row['id']!r} (seq {row['seq']}): "
                f"{'; '.join(problems)}"
            )
        previous[row["agreement"]] = (row["seq"], row["hash"])
        if type(row["seq"]) is int:
            report.source_hashes[(row["agreement"], row["seq"])] = row["hash"]
        report.sources += 1


def _source_problems(row: Mapping[str, Any], seq: int, prev: str) -> list[str]:
    """What is wrong with one stored source, given the source before it in its chain."""
    problems = []
    if row["seq"] != seq + 1:
        problems.append(f"seq follows {seq}: a gap or a duplicate")
    elif row["prev_hash"] != prev:
        problems.append("prev_hash is not the hash of the source before it")
    if codec.source_hash(row["prev_hash"], row) != row["hash"]:
        problems.append("hash differs from the recomputed hash: the row was changed")
    text = row["text"]
    digest = None if text is None else hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != row["sha256"]:
        problems.append("the stored text does not match its sha256")
    return problems
