"""The Python API: open a tracker, append events, ask for states, diffs and logs."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.core.events import AgreementCreated, Event, EventCorrected, Fact, StoredSource
from tracker.core.projector import known, project, resolve
from tracker.core.state import AgreementState, Recorded
from tracker.errors import AmbiguousAgreementError, InvalidEventError, NotFoundError
from tracker.store import engines
from tracker.store.log import AppendResult, Clock, EventStore, utcnow

# Modules only some commands need are imported where used, to keep start-up short.
if TYPE_CHECKING:
    from tracker.core.diff import StateDiff
    from tracker.core.explain import Explanation
    from tracker.files.agreement import AgreementFile


@dataclass(frozen=True, slots=True)
class Opened:
    """A tracker, and whether opening it loaded the shipped record into an empty default."""

    tracker: Tracker
    loaded_record: bool


class Tracker:
    """An event store with the questions users ask of it."""

    def __init__(self, store: EventStore) -> None:
        self.store = store

    @classmethod
    def open(cls, url: str | None = None, clock: Clock = utcnow) -> Tracker:
        """Open (and migrate) the database at `url`, or the embedded default."""
        return cls.open_reporting(url, clock).tracker

    @classmethod
    def open_reporting(cls, url: str | None = None, clock: Clock = utcnow) -> Opened:
        """Like `open`, and say whether the shipped record was loaded into an empty default."""
        chosen, is_default = engines.resolve_url(url)
        engine = engines.create_engine(chosen)
        engines.ensure_schema(engine)
        tracker = cls(EventStore(engine, clock))
        loaded = is_default and tracker.store.is_empty()
        if loaded:
            for path in sorted(engines.bundled("record").glob("*.yaml")):
                tracker.import_file(path)
        return Opened(tracker, loaded)

    def agreement(self, name: str | None) -> str:
        """The agreement named, or the only one in the store when no name is given."""
        if name is not None:
            self.store.require(name)
            return name
        names = self.store.agreements()
        if len(names) != 1:
            listing = ", ".join(names) if names else "the database holds none"
            raise AmbiguousAgreementError(f"name the agreement ({listing})")
        return names[0]

    def append(
        self, agreement: str, events: Sequence[Event], expected_version: int | None = None
    ) -> AppendResult:
        """Append events to an agreement's log (see EventStore.append), after checking that
        their citations name stored sources and quote their texts."""
        from tracker.core.provenance import bad_citation

        if any(event.sources or isinstance(event, EventCorrected) for event in events):
            sources = self.sources(agreement)
            for event in events:
                problem = bad_citation(event, sources)
                if problem is not None:
                    raise InvalidEventError(f"event {event.id!r}: {problem}")
        return self.store.append(agreement, events, expected_version)

    def sources(self, agreement: str) -> dict[str, StoredSource]:
        """The agreement's stored sources, by id."""
        return {s.source.id: s for s in self.store.sources(agreement)}

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

    def facts(self, agreement: str, known_at: dt.datetime | None = None) -> list[Fact]:
        """The facts that count (retractions and corrections applied), in valid-time order."""
        return [a.fact for a in resolve(known(self.store.read(agreement), known_at)).facts]

    def state(
        self, agreement: str, as_of: dt.date, known_at: dt.datetime | None = None
    ) -> AgreementState:
        """The agreement's terms on `as_of`, as known at `known_at` (now by default)."""
        known_at = known_at or self.store.clock()
        records = self.store.read(agreement, until=as_of, known_at=known_at)
        return project(agreement, records, as_of, known_at)

    def diff(
        self, agreement: str, start: dt.date, end: dt.date, known_at: dt.datetime | None = None
    ) -> StateDiff:
        """What changed in the agreement's terms from `start` to `end`."""
        from tracker.core.diff import diff

        known_at = known_at or self.store.clock()
        records = self.store.read(agreement, until=max(start, end), known_at=known_at)
        return diff(
            project(agreement, records, start, known_at), project(agreement, records, end, known_at)
        )

    def knowledge_diff(
        self, agreement: str, as_of: dt.date, before: dt.datetime, after: dt.datetime
    ) -> StateDiff:
        """What was learned about the terms on `as_of` between two moments."""
        from tracker.core.diff import diff

        records = self.store.read(agreement, until=as_of, known_at=max(before, after))
        return diff(
            project(agreement, records, as_of, before), project(agreement, records, as_of, after)
        )

    def explain(
        self,
        agreement: str,
        term: str,
        as_of: dt.date,
        known_at: dt.datetime | None = None,
    ) -> Explanation:
        """The term's state on `as_of` and the chain of events behind it."""
        from tracker.core.explain import explain

        known_at = known_at or self.store.clock()
        records = self.store.read(agreement, until=as_of, known_at=known_at)
        result = explain(agreement, records, term, as_of, known_at)
        if not (result.chain or result.pending):
            self._require_term(agreement, term, known_at)
        return result

    def _require_term(self, agreement: str, term: str, known_at: dt.datetime) -> None:
        """Raise NotFoundError unless some event of the agreement is about the term."""
        terms = {
            key
            for r in self.store.read(agreement, known_at=known_at)
            if (key := getattr(r.event, "term", None)) is not None
        }
        if term not in terms:
            raise NotFoundError(
                f"no term {term!r} in {agreement!r} (terms: {', '.join(sorted(terms)) or 'none'})"
            )

    def log(
        self,
        agreement: str,
        start: dt.date | None = None,
        end: dt.date | None = None,
        term: str | None = None,
        known_at: dt.datetime | None = None,
    ) -> list[Recorded]:
        """The agreement's events in effective order (position breaks ties)."""
        records = self.store.read(agreement, until=end, known_at=known_at)
        records.sort(key=lambda r: (r.event.effective, r.position))
        return [
            r
            for r in records
            if (start is None or r.event.effective >= start)
            and (end is None or r.event.effective <= end)
            and (term is None or getattr(r.event, "term", None) == term)
        ]

    def import_file(self, path: Path) -> AppendResult:
        """Validate an agreement file whole, then append it in one transaction."""
        return self.import_files([path])[0]

    def import_files(self, paths: Sequence[Path]) -> list[AppendResult]:
        """Validate every file, and check that all of them would append, before writing any;
        then append each file in its own transaction."""
        from tracker.files import agreement as files

        batches = [files.load(path).batch() for path in paths]
        if len(batches) > 1:  # one file is one transaction already: all or nothing
            self.store.rehearse(batches)
        return [self.store.append(b.agreement, b.events, sources=b.sources) for b in batches]

    def export(self, agreement: str) -> AgreementFile:
        """The agreement as a file: its header, sources and every event in log order."""
        from tracker.files import agreement as files

        records = self.store.read(agreement)
        events = tuple(r.event for r in records)
        created = next(e for e in events if isinstance(e, AgreementCreated))
        return files.AgreementFile(
            agreement, created.title, created.parties, tuple(self.store.sources(agreement)), events
        )

    def retracted(self, agreement: str, known_at: dt.datetime | None = None) -> Mapping[str, str]:
        """The ids of the agreement's events that no longer count."""
        return resolve(known(self.store.read(agreement), known_at)).retracted


def _text_problem(stored: StoredSource, folder: Path | None = None) -> str | None:
    """What is wrong with a source's stored text: its hash, or (given the folder of the
    agreement file) the file on disk it was read from."""
    if stored.text is None:
        return None
    name = stored.source.id
    if hashlib.sha256(stored.text.encode("utf-8")).hexdigest() != stored.sha256:
        return f"source {name!r}: the stored text no longer matches its sha256"
    if folder is None or stored.source.file is None:
        return None
    path = folder / stored.source.file
    try:
        on_disk = path.read_bytes()
    except OSError as e:
        return f"source {name!r}: cannot read {path}: {e.strerror}"
    if hashlib.sha256(on_disk).hexdigest() != stored.sha256:
        return f"source {name!r}: {path} differs from the stored text"
    return None
