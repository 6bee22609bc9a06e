"""Opening, migrating and backing up databases, integrity checks, settings and schemas."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from tracker.core.events import (
    StoredSource,
)
from tracker.errors import (
    InvalidEventError,
)
from tracker.service.base import Base
from tracker.store import urls

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.core.heads import Heads


class Verification(msgspec.Struct, frozen=True):
    """What `check` found: one line per damaged or missing row, the heads, the rows checked."""

    problems: list[str]
    heads: Heads
    events: int
    sources: int


HEADS_LIMIT = 16 * 1024 * 1024
SCHEMA_ID = "urn:tracker:agreement-file"


class Admin(Base):
    """Integrity: the hash chains, the kept heads, the source texts."""

    def verify(self, agreement: str | None = None) -> int:
        """Recompute the hash chains (or one agreement's); return how many events were checked.
        Raises IntegrityError naming the first broken link."""
        from tracker.store.integrity import verify

        if agreement is not None:
            self.store.require(agreement)
        return verify(self.store.engine, agreement)

    def check(self, agreement: str | None = None, against: Path | None = None) -> Verification:
        """Recompute every hash chain (or one agreement's) naming each damaged row; with
        `against`, also each head kept in that file that the chains no longer hold."""
        from tracker.core.heads import differences
        from tracker.store.integrity import audit

        if agreement is not None:
            self.store.require(agreement)
        kept = None if against is None else _read_heads(against).only(agreement)
        report = audit(self.store.engine, agreement)
        problems = list(report.problems)
        if kept is not None:
            problems += differences(kept, report.event_hashes, report.source_hashes, str(against))
        return Verification(problems, report.heads(), report.events, report.sources)

    def write_heads(self, path: Path, heads: Heads) -> None:
        """Write a head file, to keep outside the database."""
        from tracker.errors import FileFormatError
        from tracker.files.heads import to_json

        try:
            path.write_text(to_json(heads), encoding="utf-8")
        except OSError as e:
            raise FileFormatError(f"cannot write {path}: {e.strerror or e}") from e

    def verify_sources(self, agreement: str, folder: Path | None = None) -> list[str]:
        """What no longer matches: stored texts against their hashes (and the files in
        `folder`), and every stored quote against its source's text."""
        from tracker.core.provenance import QuotedTexts, bad_citation

        sources, texts = self.sources(agreement), QuotedTexts()
        problems = [p for s in sources.values() if (p := _text_problem(s, folder)) is not None]
        for record in self.store.read(agreement):
            problem = bad_citation(record.event, sources, texts)
            if problem is not None:
                problems.append(f"event {record.event.id!r}: {problem}")
        return problems


def agreement_files(paths: Sequence[Path]) -> list[Path]:
    """The files an import of `paths` reads: a folder stands for its `*.yaml` files, sorted."""
    from tracker.files.folders import agreement_files as listed

    return listed(paths)


def file_schema() -> dict[str, Any]:
    """The JSON Schema of agreement files, with its dialect, id and field descriptions."""
    from tracker.files.agreement import json_schema
    from tracker.files.schema import describe_fields

    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **describe_fields(json_schema()),
    }


def init_file(agreement: str, folder: Path, today: dt.date) -> list[Path]:
    """Write a commented starter file for a new agreement into `folder` (and the JSON Schema
    beside it, unless there is one); the paths written."""
    from tracker.core.events import Slug
    from tracker.core.validation import ValidationError, adapter
    from tracker.files.starter import SCHEMA_FILE, starter, write_new

    try:
        adapter(Slug).validate_python(agreement)
    except ValidationError as e:
        raise InvalidEventError(
            f"{agreement!r} is not an agreement id: lower-case letters, digits and dashes, "
            "starting with a letter or digit"
        ) from e
    path = folder / f"{agreement}.yaml"
    write_new(path, starter(agreement, today))
    written = [path]
    schema = folder / SCHEMA_FILE
    if not schema.exists():
        write_new(schema, json.dumps(file_schema(), indent=2) + "\n")
        written.append(schema)
    return written


def migrate(url: str | None, revision: str, *, up: bool) -> str | None:
    """Migrate the database at `url` (or the default) up or down to `revision`; return the
    revision it is at afterwards. Only an upgrade creates a database."""
    from tracker.store import engines, guards

    engine = _engine(url, create=up)
    try:
        if up:
            engines.upgrade_locked(engine, revision)
            guards.put_back(engine)
        else:
            engines.downgrade(engine, revision)
        return engines.current_revision(engine)
    finally:
        engines.dispose(engine)


def current_revision(url: str | None) -> str | None:
    """The database's schema revision, None when it has none."""
    from tracker.store import engines

    engine = _engine(url, create=False)
    try:
        return engines.current_revision(engine)
    finally:
        engines.dispose(engine)


def default_agreement_setting() -> tuple[str, str] | None:
    """The default agreement as set, and where (TRACKER_AGREEMENT or the config file)."""
    from tracker.files.config import default_agreement

    default = default_agreement()
    return None if default is None else (default.agreement, default.origin)


def database_path(url: str | None) -> str:
    """Where the database is: a SQLite file's path, or the URL with its password hidden."""
    from tracker.store import engines

    chosen, _ = urls.resolve_url(url)
    path = urls.sqlite_file(chosen)
    return str(path) if path is not None else engines.shown(chosen)


def backup(url: str | None, target: Path) -> str:
    """Copy the SQLite database at `url` (or the default) into the new file `target`, with
    SQLite's online backup (consistent while others write); return the database's path."""
    from tracker.store import engines

    engine = _engine(url, create=False)
    try:
        engines.backup(engine, target)
    finally:
        engines.dispose(engine)
    return database_path(url)


def database_error(error: Exception) -> str | None:
    """The one-line message for an error the database driver raised, None for any other."""
    from tracker.store.errors import translated

    found = translated(error)
    return None if found is None else str(found)


def _engine(url: str | None, *, create: bool) -> Engine:
    from tracker.store import engines

    chosen, is_default = urls.resolve_url(url)
    return engines.create_engine(chosen, create=create, make_folder=is_default and create)


def _text_problem(stored: StoredSource, folder: Path | None = None) -> str | None:
    """What is wrong with a source's stored text: its hash, or (given the folder of the
    agreement file) the file on disk it was read from."""
    if stored.text is None:
        return None
    from tracker.core.provenance import sha256

    name = stored.source.id
    if sha256(stored.text) != stored.sha256:
        return f"source {name!r}: the stored text no longer matches its sha256"
    if folder is None or stored.source.file is None:
        return None
    from tracker.files import bounded
    from tracker.files.agreement import MAX_SOURCE_BYTES

    path = folder / stored.source.file
    try:
        on_disk = bounded.read_bytes(path, MAX_SOURCE_BYTES, "a source text")
    except bounded.ReadError as e:
        return f"source {name!r}: {path}: {e.problem}"
    if hashlib.sha256(on_disk).hexdigest() != stored.sha256:
        return f"source {name!r}: {path} differs from the stored text"
    return None


def _read_heads(path: Path) -> Heads:
    """The heads in a head file, read with a bound."""
    from tracker.files.bounded import read_text
    from tracker.files.heads import parse

    return parse(read_text(path, HEADS_LIMIT, "a head file"), str(path))
