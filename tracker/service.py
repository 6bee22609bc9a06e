"""The service: `Tracker`, the one way in for the command line and for Python users.

It opens the database, reads from the store, lets the core decide and compute, and writes
through the store. Modules only some questions need are imported where used, to keep
start-up short.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.core.events import (
    EVENT_TYPES,
    AgreementCreated,
    Batch,
    Event,
    EventCorrected,
    Fact,
    StoredSource,
    term_of,
)
from tracker.core.gc_pause import paused
from tracker.core.projector import known, one_term, project, replay, resolve
from tracker.core.provenance import sha256
from tracker.core.rules import InForceChange, check_term_changes
from tracker.core.snapshot import state_from
from tracker.core.state import (
    AgreementState,
    Coverage,
    EndedTerm,
    Possible,
    Recorded,
    TermState,
)
from tracker.errors import (
    AmbiguousAgreementError,
    InvalidEventError,
    NotFoundError,
    TrackerError,
)
from tracker.store import urls
from tracker.store.log import AppendResult, Clock, EventStore, Reach, Replay, utcnow

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from tracker.core.diff import StateDiff
    from tracker.core.explain import Explanation
    from tracker.core.heads import Heads
    from tracker.core.provenance import ConflictReport, SourceUse
    from tracker.core.timeline import Timeline
    from tracker.core.upcoming import Coming
    from tracker.files.agreement import AgreementFile

__all__ = [
    "RECORDABLE_TYPES",
    "AddedSource",
    "AgreementSummary",
    "AppendResult",
    "Appended",
    "History",
    "Opened",
    "TermEntry",
    "Tracker",
    "database_error",
]


@dataclass(frozen=True, slots=True)
class Opened:
    """A tracker, and whether opening it loaded the shipped record into an empty default."""

    tracker: Tracker
    loaded_record: bool


@dataclass(frozen=True, slots=True)
class AgreementSummary:
    """One agreement in the database: its id, title and version."""

    agreement: str
    title: str
    version: int


@dataclass(frozen=True, slots=True)
class History:
    """An agreement's events in effective order, and which of them no longer count."""

    records: list[Recorded]
    retracted: Mapping[str, str]
    corrected_by: Mapping[str, tuple[str, ...]]


# What `tracker record` appends: every event type (a correction's replacement given whole).
RECORDABLE_TYPES: tuple[str, ...] = EVENT_TYPES


@dataclass(frozen=True, slots=True)
class Appended:
    """What `record` or `retract` did (or, in a dry run, would do): the event's id, whether
    it is new, the version, and the event as plain data."""

    event: str
    agreement: str
    written: bool
    version: int
    data: Mapping[str, Any]
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class AddedSource:
    """What `add_source` did: the source's id, whether it was new, and its text's size."""

    source: str
    agreement: str
    written: bool
    characters: int | None


@dataclass(frozen=True, slots=True)
class Verification:
    """What `check` found: one line per damaged or missing row, the heads, the rows checked."""

    problems: list[str]
    heads: Heads
    events: int
    sources: int


@dataclass(frozen=True, slots=True)
class TermEntry:
    """One agreement's answer to the portfolio question: the term in force, ended, or
    possibly changed by an imprecise date (each as `state` has it; None where it has not)."""

    agreement: str
    term: TermState | None
    ended: EndedTerm | None
    possible: Possible | None
    coverage: Coverage | None = None  # how far the agreement's record reaches


HEADS_LIMIT = 16 * 1024 * 1024
_TERM_KEY = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")


class Tracker:
    """An event store with the questions users ask of it."""

    def __init__(self, store: EventStore, created: Path | None = None) -> None:
        self.store = store
        self._created = created

    # Opening and the database

    @classmethod
    def open(cls, url: str | None = None, clock: Clock = utcnow, *, create: bool = True) -> Tracker:
        """Open (and migrate) the database at `url`, or the embedded default; a SQLite file
        that does not exist is created only when `create` (the default always is)."""
        return cls.open_reporting(url, clock, create=create).tracker

    @classmethod
    def open_reporting(
        cls, url: str | None = None, clock: Clock = utcnow, *, create: bool = True
    ) -> Opened:
        """Like `open`, and say whether the shipped record was loaded into an empty default
        (by this call: of several first users, one loads it)."""
        chosen, is_default = urls.resolve_url(url)
        path = urls.sqlite_file(chosen)
        if path is not None and not create:
            # A read of a SQLite file at the current schema runs on sqlite3 alone: opening
            # SQLAlchemy would be most of a short command's time.
            store = EventStore.reading_sqlite(path, lambda: _engine(url, create=False), clock)
            if store is not None:
                return Opened(cls(store), loaded_record=False)
        from tracker.store import engines

        new = path if path is not None and not path.exists() else None
        engine = engines.create_engine(chosen, create=create or is_default, make_folder=is_default)
        tracker = cls(EventStore(engine, clock), new)
        try:
            engines.ensure_schema(engine)
            loaded = is_default and tracker.store.is_empty() and tracker._load_record()
        except BaseException:
            tracker.close(discard=True)
            raise
        return Opened(tracker, loaded)

    def _load_record(self) -> bool:
        """Load the shipped record; True when this call created it. Its files are written
        one transaction each, so of several first users another may write some of its
        amendment files (the same events): the one that loaded it is the one whose write
        created the agreement."""
        results = self.import_files(sorted(urls.bundled("record").glob("*.yaml")))
        return any(r.written and r.version == r.written for r in results)

    def close(self, *, discard: bool = False) -> None:
        """Close the database (SQLite then folds its WAL into the `.db` file); with
        `discard`, remove a SQLite file that opening this tracker created."""
        self.store.close()
        if discard and self._created is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                self._created.with_name(self._created.name + suffix).unlink(missing_ok=True)
            self._created = None

    def __enter__(self) -> Tracker:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(discard=kind is not None)

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
        from tracker.store.integrity import check

        if agreement is not None:
            self.store.require(agreement)
        kept = None if against is None else _read_heads(against).only(agreement)
        report = check(self.store.engine, agreement)
        problems = list(report.problems)
        from tracker.store.terms import check as check_terms

        problems += check_terms(self.store.engine, agreement)
        if kept is not None:
            problems += differences(kept, report.event_hashes, report.source_hashes, str(against))
        return Verification(problems, report.heads(), report.events, report.sources)

    def write_heads(self, path: Path, heads: Heads) -> None:
        """Write a head file, to keep outside the database."""
        from tracker.errors import FileFormatError

        try:
            path.write_text(heads.to_json(), encoding="utf-8")
        except OSError as e:
            raise FileFormatError(f"cannot write {path}: {e.strerror or e}") from e

    # Agreements and sources

    def agreement(self, name: str | None) -> str:
        """The agreement named; else the default agreement (TRACKER_AGREEMENT or the config
        file) when this database holds it; else the only one in the store."""
        if name is not None:
            self.store.require(name)
            return name
        from tracker.files.config import default_agreement

        names = self.store.agreements()
        default = default_agreement()
        if default is not None and default.agreement in names:
            return default.agreement
        if len(names) == 1:
            return names[0]
        listing = ", ".join(names) if names else "the database holds none"
        if default is None:
            raise AmbiguousAgreementError(
                f"name the agreement ({listing}), or set a default: "
                "tracker agreement default AGREEMENT"
            )
        raise AmbiguousAgreementError(
            f"name the agreement ({listing}); the default {default.agreement!r} "
            f"(from {default.origin}) is not in this database"
        )

    def default_agreement(self) -> str | None:
        """The default agreement, when one is set and this database holds it."""
        from tracker.files.config import default_agreement

        default = default_agreement()
        names = self.store.agreements()
        return default.agreement if default is not None and default.agreement in names else None

    def set_default_agreement(self, name: str | None) -> Path:
        """Make an agreement of this database the default (None: no default); the config
        file's path."""
        from tracker.files.config import set_default_agreement

        if name is not None:
            self.store.require(name)
        return set_default_agreement(name)

    def agreements(self) -> list[AgreementSummary]:
        """Every agreement in the database, by id."""
        return [
            AgreementSummary(e.agreement, e.title, self.store.version(e.agreement))
            for e in self.store.created()
        ]

    def sources(self, agreement: str) -> dict[str, StoredSource]:
        """The agreement's stored sources, by id."""
        return {s.source.id: s for s in self.store.sources(agreement)}

    def source_uses(self, agreement: str) -> list[SourceUse]:
        """Each source with how many facts it supports and contradicts."""
        from tracker.core.provenance import source_uses

        return source_uses(self.facts(agreement), self.sources(agreement))

    def conflicts(self, agreement: str, known_at: dt.datetime | None = None) -> ConflictReport:
        """Facts on which cited sources disagree, and facts resting on one source."""
        from tracker.core.provenance import conflict_report

        facts = self.facts(agreement, known_at)
        return conflict_report(agreement, facts, self.sources(agreement))

    def verify_sources(self, agreement: str, folder: Path | None = None) -> list[str]:
        """What no longer matches: stored texts against their hashes (and the files in
        `folder`), and every stored quote against its source's text."""
        from tracker.core.provenance import bad_citation

        sources = self.sources(agreement)
        problems = [p for s in sources.values() if (p := _text_problem(s, folder)) is not None]
        for record in self.store.read(agreement):
            problem = bad_citation(record.event, sources)
            if problem is not None:
                problems.append(f"event {record.event.id!r}: {problem}")
        return problems

    # Writing

    def append(
        self,
        agreement: str,
        events: Sequence[Event],
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
    ) -> AppendResult:
        """Append events to an agreement's log (see EventStore.append, which decides the
        log's rules inside its transaction), after checking that their citations name stored
        sources and quote their texts; a citation of a source with stored text must quote it.
        A dry run checks everything and writes nothing."""
        from tracker.core.provenance import bad_citation

        if any(event.sources or isinstance(event, EventCorrected) for event in events):
            sources = self.sources(agreement)
            for event in events:
                problem = bad_citation(event, sources) or _missing_quote(event, sources)
                if problem is not None:
                    raise InvalidEventError(f"event {event.id!r}: {problem}")
        if dry_run:
            return self.store.rehearse([Batch(agreement, events)], expected_version)[0]
        return self.store.append(agreement, events, expected_version)

    def record(
        self,
        agreement: str,
        fields: Mapping[str, Any],
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
    ) -> Appended:
        """Append one event given as plain fields (as the command line collects them); without
        an id, the event is named by its date, type and a digest of its content, so that
        concurrent writers never pick the same id for different events. A term.set must give
        its value (`{}` for none): leaving it out would empty the value in force."""
        from pydantic import ValidationError

        from tracker.core.events import event_from_dict, event_to_dict
        from tracker.core.wording import describe

        if fields.get("type") == "term.set" and "value" not in fields:
            raise InvalidEventError(
                "term.set needs --value (a JSON object; {} for none): it replaces the whole term"
            )
        data = {**fields, "agreement": agreement}
        if not data.get("id"):
            data["id"] = _derived_id(data)
        try:
            event = event_from_dict(data)
        except ValidationError as e:
            raise InvalidEventError(describe(e)) from e
        result = self.append(agreement, [event], expected_version, dry_run=dry_run)
        written = result.written > 0
        return Appended(event.id, agreement, written, result.version, event_to_dict(event), dry_run)

    def add_source(
        self, agreement: str, fields: Mapping[str, Any], text: Path | None = None
    ) -> AddedSource:
        """Store a source for an agreement's citations, with the text read from `text`; the
        same source again is already present, another with its id is an error."""
        from pydantic import ValidationError

        from tracker.core.events import Source
        from tracker.core.wording import describe
        from tracker.files.agreement import read_text

        self.store.require(agreement)
        try:
            source = Source.model_validate({**fields, "file": text.name if text else None})
        except ValidationError as e:
            raise InvalidEventError(f"source: {describe(e, Source)}") from e
        body = read_text(text, str(text)) if text is not None else None
        stored = StoredSource(source=source, text=body, sha256=sha256(body) if body else None)
        written = source.id not in self.sources(agreement)
        self.store.append(agreement, [], sources=[stored])
        return AddedSource(source.id, agreement, written, len(body) if body else None)

    def retract(
        self,
        event: str,
        reason: str,
        effective: dt.date,
        id_: str | None = None,
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
        sources: Sequence[Mapping[str, str]] = (),
    ) -> Appended:
        """Append a retraction of an earlier event, to that event's agreement; `sources` (as
        in an agreement file) say who withdrew it, which `--published-by` reads."""
        agreement = self.store.agreement_of(event)
        fields = {
            "type": "event.retracted",
            "target": event,
            "reason": reason,
            "effective": effective,
            "id": id_,
            "sources": [dict(c) for c in sources],
        }
        return self.record(agreement, fields, expected_version, dry_run=dry_run)

    def import_files(self, paths: Sequence[Path], *, dry_run: bool = False) -> list[AppendResult]:
        """Validate every file, and check that all of them would append, before writing any;
        then append each file in its own transaction. A dry run stops before writing. A
        folder stands for its agreement files (`agreement_files`): one result per file."""
        from tracker.files.agreement import load

        paths = agreement_files(paths)
        files = [load(path) for path in paths]
        for path, file in zip(paths, files, strict=True):
            self._check_file_head(path, file)
        batches = [file.batch() for file in files]
        self._check_agreements(paths, batches)
        # Files that create an agreement go before the amendment files of the same import.
        order = sorted(range(len(batches)), key=lambda i: not _creates(batches[i]))
        batches = [batches[i] for i in order]
        in_order = [paths[i] for i in order]
        self._check_citations(batches, in_order)
        self._check_term_changes(batches, in_order)
        if dry_run or len(batches) > 1:  # one file is one transaction already: all or nothing
            try:
                rehearsed = self.store.rehearse(batches)
            except TrackerError as e:
                raise e.located(str(paths[order[e.batch or 0]])) from None
            if dry_run:
                return [rehearsed[order.index(i)] for i in range(len(batches))]
        results = [self._append_file(p, b) for p, b in zip(in_order, batches, strict=True)]
        return [results[order.index(i)] for i in range(len(batches))]

    def _check_agreements(self, paths: Sequence[Path], batches: Sequence[Batch]) -> None:
        """Refuse an amendment file whose agreement is neither stored nor created by this
        import, naming the agreement (a misspelt one would otherwise be told about its ids
        or its first event)."""
        from tracker.core.wording import unknown_agreement

        created = {b.agreement for b in batches if _creates(b)}
        for path, batch in zip(paths, batches, strict=True):
            if batch.agreement not in created and self.store.version(batch.agreement) == 0:
                known = sorted({*self.store.agreements(), *created})
                problem = unknown_agreement(batch.agreement, known)
                raise NotFoundError(f"{path}: {problem}")

    def _check_citations(self, batches: Sequence[Batch], paths: Sequence[Path]) -> None:
        """Check the citations of amendment files against the sources stored before them
        and those of the batches before them (a file that creates its agreement has been
        checked whole when it was read; one for an agreement that does not exist is left
        for the log to refuse)."""
        from tracker.core.provenance import bad_citation

        known: dict[str, dict[str, StoredSource]] = {}
        for batch, path in zip(batches, paths, strict=True):
            if batch.agreement not in known:
                if not _creates(batch) and self.store.version(batch.agreement) == 0:
                    continue
                known[batch.agreement] = {} if _creates(batch) else self.sources(batch.agreement)
            sources = known[batch.agreement]
            sources.update({s.source.id: s for s in batch.sources})
            for event in batch.events:
                if (problem := bad_citation(event, sources)) is not None:
                    raise InvalidEventError(f"{path}: event {event.id!r}: {problem}")

    def _check_term_changes(self, batches: Sequence[Batch], paths: Sequence[Path]) -> None:
        """Check the amendments and affirmations of every batch against its agreement's log
        and the batches before it; an error names the batch's file."""
        earlier: dict[str, list[Event]] = {}
        for batch, path in zip(batches, paths, strict=True):
            before = earlier.setdefault(batch.agreement, [])
            if any(isinstance(e, InForceChange) for e in batch.events):
                log = self.store.read(batch.agreement)
                start = max((r.position for r in log), default=0)
                log += [Recorded(e, start + i, 0, dt.datetime.max) for i, e in enumerate(before, 1)]
                try:
                    if log:  # of an agreement that does not exist, the log says so
                        check_term_changes(log, batch.events)
                except TrackerError as e:
                    raise e.located(str(path)) from None
            before.extend(batch.events)

    def _append_file(self, path: Path, batch: Batch) -> AppendResult:
        """Append one file's batch; an error names the file."""
        try:
            return self.store.append(batch.agreement, batch.events, sources=batch.sources)
        except TrackerError as e:
            raise e.located(str(path)) from None

    def _check_file_head(self, path: Path, file: AgreementFile) -> None:
        """Raise IntegrityError when an exported file's head disagrees with the stored log."""
        from tracker.core.heads import file_head_problem
        from tracker.errors import IntegrityError

        head = file.head
        if head is None or self.store.version(file.agreement) < head.version:
            return
        stored = [r.event for r in self.store.read(file.agreement)]
        problem = file_head_problem(str(path), file.agreement, head.version, head.digest, stored)
        if problem is not None:
            raise IntegrityError(problem)

    def import_file(self, path: Path) -> AppendResult:
        """Validate an agreement file whole, then append it in one transaction."""
        return self.import_files([path])[0]

    # Reading

    def facts(self, agreement: str, known_at: dt.datetime | None = None) -> list[Fact]:
        """The facts that count (retractions and corrections applied), in valid-time order."""
        return [a.fact for a in resolve(known(self.store.read(agreement), known_at)).facts]

    def _read(
        self,
        agreement: str,
        until: dt.date | None = None,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> list[Recorded]:
        """The agreement's records (see EventStore.read); with `published`, only those citing
        a source published by then."""
        records = self.store.read(agreement, until=until, known_at=known_at)
        if published is None:
            return records
        from tracker.core.provenance import published_by

        return published_by(records, self.sources(agreement), published)

    def coverage(
        self,
        agreement: str,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> Coverage:
        """How far the agreement's record reaches, as known at `known_at` (now by default)
        and, with `published`, as the sources published by then told it: the day of its
        latest review, or the date of its latest event."""
        known_at = known_at or self.store.clock()
        if published is None:
            found = self._reached(self.store.read_reach(agreement, known_at))
            if found is not None:
                return found
        from tracker.core.coverage import coverage

        return coverage(self._read(agreement, None, known_at, published), known_at)

    @staticmethod
    def _reached(reach: Reach) -> Coverage | None:
        """The reach of a record from what `read_reach` gave, or None when a retraction or
        correction may change it (the whole log then says)."""
        from tracker.core.coverage import coverage, latest_of

        reviews = [r for r in reach.marked if r.event.type == "record.reviewed"]
        if len(reviews) != len(reach.marked):
            return None
        return coverage(reviews) if reviews else latest_of(reach.latest)

    def state(
        self,
        agreement: str,
        as_of: dt.date,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> AgreementState:
        """The agreement's terms on `as_of`, as known at `known_at` (now by default) and, with
        `published`, as the sources published by then told it; with how far the record
        reaches."""
        known_at = known_at or self.store.clock()
        found = self._state(agreement, as_of, known_at, published)
        return replace(found, coverage=self.coverage(agreement, known_at, published))

    def _state(
        self,
        agreement: str,
        as_of: dt.date,
        known_at: dt.datetime,
        published: dt.date | None = None,
    ) -> AgreementState:
        if published is not None:
            records = self._read(agreement, as_of, known_at, published)
            return project(agreement, records, as_of, known_at)
        with self.store.read_for_state(agreement, as_of, known_at) as read:
            if isinstance(read, Replay):
                return replay(
                    agreement, read.corrections, read.corrected, read.facts, as_of, known_at
                )
            state = state_from(*read, as_of, known_at)
            if state is not None:
                return state
        with self.store.replaying(agreement, as_of, known_at) as log:
            return replay(agreement, log.corrections, log.corrected, log.facts, as_of, known_at)

    def terms(
        self, key: str, as_of: dt.date, known_at: dt.datetime | None = None
    ) -> list[TermEntry]:
        """One term on `as_of`, as known at `known_at` (now by default), in every agreement
        that has it in force, ended, or possibly changed; by agreement. Each answer is what
        `state` says of the term: only the events the term index gives are replayed."""
        if len(key) > 100 or _TERM_KEY.fullmatch(key) is None:
            raise TrackerError(f"not a term key: {key!r} (lower-case words joined by dots)")
        known_at = known_at or self.store.clock()
        logs = self.store.read_term(key, as_of, known_at)
        entries = []
        with paused():
            for agreement in sorted(logs):
                created, records = logs[agreement]
                term, ended, possible = one_term(key, records, created, as_of, known_at)
                if term or ended or possible:
                    entries.append(TermEntry(agreement, term, ended, possible))
        if not entries:
            self._require_term(None, key, known_at)
        reaches = self.store.read_reaches([e.agreement for e in entries], known_at)
        return [
            replace(e, coverage=self._reached(reaches[e.agreement])
                    or self.coverage(e.agreement, known_at))
            for e in entries
        ]  # fmt: skip

    def snapshot(self, agreement: str) -> None:
        """Write a current snapshot of the agreement: its fold at its latest version, which
        `state` then reads instead of the whole log while it still holds."""
        self.store.require(agreement)
        self.store.snapshot(agreement)

    def diff(
        self,
        agreement: str,
        start: dt.date,
        end: dt.date,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> StateDiff:
        """What changed in the agreement's terms from `start` to `end`."""
        from tracker.core.diff import diff_between

        known_at = known_at or self.store.clock()
        records = self._read(agreement, max(start, end), known_at, published)
        found = diff_between(agreement, records, start, end, known_at)
        return replace(found, coverage=self.coverage(agreement, known_at, published))

    def knowledge_diff(
        self, agreement: str, as_of: dt.date, before: dt.datetime, after: dt.datetime
    ) -> StateDiff:
        """What was learned about the terms on `as_of` between two moments."""
        from tracker.core.diff import diff

        records = self.store.read(agreement, until=as_of, known_at=max(before, after))
        return diff(
            project(agreement, records, as_of, before), project(agreement, records, as_of, after)
        )

    def publication_diff(
        self, agreement: str, as_of: dt.date, before: dt.date, after: dt.date
    ) -> StateDiff:
        """What the published record learned about the terms on `as_of` between two dates."""
        from tracker.core.diff import diff

        known_at = self.store.clock()
        old = project(agreement, self._read(agreement, as_of, known_at, before), as_of, known_at)
        new = project(agreement, self._read(agreement, as_of, known_at, after), as_of, known_at)
        return replace(diff(old, new), published=(before, after))

    def explain(
        self,
        agreement: str,
        term: str,
        as_of: dt.date,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> Explanation:
        """The term's state on `as_of` and the chain of events behind it."""
        from tracker.core.explain import explain

        known_at = known_at or self.store.clock()
        records = self._read(agreement, as_of, known_at, published)
        result = explain(agreement, records, term, as_of, known_at)
        if not (result.chain or result.pending):
            self._require_term(agreement, term, known_at)
        return replace(result, coverage=self.coverage(agreement, known_at, published))

    def _require_term(self, agreement: str | None, term: str, known_at: dt.datetime | None) -> None:
        """Raise NotFoundError unless some event of the agreement (None: of any agreement)
        recorded by `known_at` is about the term: a misspelt key is told, with the key it
        probably misspells and the valid ones, rather than answered with nothing."""
        from tracker.core.wording import closest

        terms = self.store.term_keys(agreement, known_at)
        if term in terms:
            return
        where = "any agreement" if agreement is None else repr(agreement)
        match = closest(term, terms)
        hint = f"did you mean {match!r}? " if match else ""
        raise NotFoundError(
            f"no term {term!r} in {where} ({hint}terms: {', '.join(terms) or 'none'})"
        )

    def history(
        self,
        agreement: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        term: str | None = None,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> History:
        """The agreement's events in effective order (position breaks ties), from one read,
        with the retractions and corrections that apply to them."""
        records = known(self._read(agreement, published=published), known_at)
        resolution = resolve(records)
        records.sort(key=lambda r: (r.event.effective.key, r.position))
        kept = [
            r
            for r in records
            if (start is None or r.event.effective.last >= start)
            and (end is None or r.event.effective.first <= end)
            and (term is None or term_of(r.event) == term)
        ]
        if term is not None and not kept:
            self._require_term(agreement, term, known_at)
        return History(kept, resolution.retracted, resolution.corrected_by)

    # Files

    def export(self, agreement: str) -> AgreementFile:
        """The agreement as a file: its header, sources and every event in log order."""
        from tracker.core.heads import content_digest
        from tracker.files.agreement import AgreementFile, FileHead

        events = tuple(r.event for r in self.store.read(agreement))
        created = next(e for e in events if isinstance(e, AgreementCreated))
        sources = tuple(self.store.sources(agreement))
        head = FileHead(version=len(events), digest=content_digest(events))
        return AgreementFile(agreement, created.title, created.parties, sources, events, head)

    def export_text(self, agreement: str) -> str:
        """The agreement file's YAML text (source texts are not in it)."""
        from tracker.files.agreement import dump

        return dump(self.export(agreement))

    def export_to(self, agreement: str, folder: Path, *, force: bool = False) -> Path:
        """Write the agreement file and its source texts into `folder`; return the file. A file
        there with other content is replaced only with `force`; links are never written through."""
        from tracker.files.agreement import write

        return write(self.export(agreement), folder, force=force)

    # -- For the views (log, timeline, report, upcoming) ------------------------------------

    def corrected(
        self, agreement: str, known_at: dt.datetime | None = None
    ) -> dict[str, Corrected]:
        """The agreement's corrected events by id: the corrections that count, and the content
        that counts now."""
        resolution = resolve(known(self.store.read(agreement), known_at))
        content = {a.fact.id: a.fact for a in resolution.facts if a.corrections}
        return {
            key: Corrected(by, content[key])
            for key, by in resolution.corrected_by.items()
            if key in content
        }

    def log_view(
        self,
        agreement: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        term: str | None = None,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> LogView:
        """What the log shows people: the events with their retractions and corrections; for
        one term, its events from the first, so that each can be diffed with the one before."""
        history = self.history(agreement, None if term else start, end, term, known_at, published)
        corrected = self.corrected(agreement, known_at)
        return LogView(history.records, history.retracted, corrected, term, start)

    def timeline(self, agreement: str, known_at: dt.datetime | None = None) -> Timeline:
        """The agreement's states on every date something changed, and each term's periods."""
        from tracker.core.coverage import coverage
        from tracker.core.timeline import timeline

        known_at = known_at or self.store.clock()
        records = self.store.read(agreement, known_at=known_at)
        made = timeline(agreement, records, known_at)
        return replace(made, coverage=coverage(records, known_at))  # from the log already read

    def report(self, agreement: str, as_of: dt.date, known_at: dt.datetime | None = None) -> Report:
        """Everything a report shows: the timeline; the states and diffs `state` and `diff`
        answer on every day either may turn (see `core.turns`); each term's explanation on
        `as_of`."""
        from tracker.core.coverage import coverage
        from tracker.core.timeline import timeline
        from tracker.core.turns import turns

        known_at = known_at or self.store.clock()
        records = self.store.read(agreement, known_at=known_at)
        made = replace(timeline(agreement, records, known_at), coverage=coverage(records, known_at))
        turned = turns(agreement, records, known_at, as_of, MAX_REPORT_DATES)
        keys = sorted({*made.periods, *(p.term for p in made.proposals)})
        explained = tuple(self.explain(agreement, key, as_of, known_at) for key in keys)
        conflicts = self.conflicts(agreement, known_at)
        return Report(
            made, turned.states, turned.diffs, explained, conflicts, self.sources(agreement)
        )

    def upcoming(
        self,
        as_of: dt.date,
        until: dt.date,
        known_at: dt.datetime | None = None,
        agreement: str | None = None,
    ) -> list[Coming]:
        """Across all agreements (or in `agreement` alone) on `as_of`: expiries up to `until`,
        pending proposals and conditions still open."""
        from tracker.core.upcoming import upcoming

        known_at = known_at or self.store.clock()
        states = (self.state(a, as_of, known_at) for a in self._chosen(agreement))
        return upcoming(states, until)

    def coverages(
        self, known_at: dt.datetime | None = None, agreement: str | None = None
    ) -> dict[str, Coverage]:
        """How far each agreement's record (or `agreement`'s alone) reaches (see `coverage`),
        by agreement."""
        known_at = known_at or self.store.clock()
        return {a: self.coverage(a, known_at) for a in self._chosen(agreement)}

    def _chosen(self, agreement: str | None) -> list[str]:
        """Every agreement, or the one named."""
        return list(self.store.agreements()) if agreement is None else [agreement]


SCHEMA_ID = "urn:tracker:agreement-file"


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
    from pydantic import TypeAdapter, ValidationError

    from tracker.core.events import Slug
    from tracker.files.starter import SCHEMA_FILE, starter, write_new

    try:
        TypeAdapter(Slug).validate_python(agreement)
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
    from tracker.store import engines

    engine = _engine(url, create=up)
    try:
        if up:
            engines.upgrade_locked(engine, revision)
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
    import sqlalchemy as sa

    if not isinstance(error, sa.exc.SQLAlchemyError):
        return None
    orig = getattr(error, "orig", None)
    detail = str(orig or error).strip().splitlines()
    first = detail[0] if detail else type(error).__name__
    if getattr(orig, "sqlstate", None) == "55P03" or first == "database is locked":
        seconds = urls.LOCK_TIMEOUT_MS / 1000
        return f"the database is busy: another writer held its lock for {seconds:g} s; try again"
    if "readonly database" in first:
        return "the database is read-only: it can be read, not written"
    return f"database error: {first}"


def _engine(url: str | None, *, create: bool) -> Engine:
    from tracker.store import engines

    chosen, is_default = urls.resolve_url(url)
    return engines.create_engine(chosen, create=create, make_folder=is_default and create)


def _creates(batch: Batch) -> bool:
    return any(isinstance(e, AgreementCreated) for e in batch.events)


def _derived_id(data: Mapping[str, Any]) -> str:
    """An event id from its date, type and content: the same content gives the same id."""
    content = json.dumps(data, sort_keys=True, default=str).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()[:8]
    when = re.sub(r"[^0-9A-Za-z]+", "-", str(data.get("effective"))).strip("-")
    return f"{when}-{str(data.get('type')).replace('.', '-')}-{digest}"


@dataclass(frozen=True, slots=True)
class Corrected:
    """An event replaced by corrections: their ids, and the content that counts."""

    by: tuple[str, ...]
    content: Fact


@dataclass(frozen=True, slots=True)
class LogView:
    """The log as people read it (see `Tracker.log_view`): with one term, `records` starts at
    the term's first event and only those from `start` are shown."""

    records: list[Recorded]
    retracted: Mapping[str, str]
    corrected: Mapping[str, Corrected]
    term: str | None
    start: dt.date | None


# Beyond this many turning days, a report holds the diffs of consecutive ones only.
MAX_REPORT_DATES = 100


@dataclass(frozen=True, slots=True)
class Report:
    """What `Tracker.report` gathers for one agreement."""

    timeline: Timeline
    states: tuple[AgreementState, ...]  # before the first turning day, then on each one
    diffs: Mapping[tuple[int, int], StateDiff]  # by the indices of two states, earlier first
    explanations: tuple[Explanation, ...]
    conflicts: ConflictReport
    sources: dict[str, StoredSource]


def _missing_quote(event: Event, sources: Mapping[str, StoredSource]) -> str | None:
    """A citation without a quote of a source whose text is stored: quote it, so that the
    claim can be checked."""
    from tracker.core.provenance import citations_of

    for i, citation in enumerate(citations_of(event)):
        stored = sources.get(citation.source)
        if citation.quote is None and stored is not None and stored.text is not None:
            return (
                f"field sources.{i}.quote: source {citation.source!r} has stored text, so the "
                f"citation must quote it (--cite {citation.source}=QUOTE)"
            )
    return None


def _text_problem(stored: StoredSource, folder: Path | None = None) -> str | None:
    """What is wrong with a source's stored text: its hash, or (given the folder of the
    agreement file) the file on disk it was read from."""
    if stored.text is None:
        return None
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
    from tracker.core.heads import parse
    from tracker.files.bounded import read_text

    return parse(read_text(path, HEADS_LIMIT, "a head file"), str(path))
