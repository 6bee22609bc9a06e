"""Writing: events, sources, retractions and agreement files in; agreement files out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from tracker.core.events import (
    EVENT_TYPES,
    AgreementCreated,
    Batch,
    Event,
    StoredSource,
)
from tracker.errors import (
    EventConflictError,
    InvalidEventError,
    NotFoundError,
    TrackerError,
)
from tracker.service.admin import agreement_files
from tracker.service.base import Base
from tracker.store.log import AppendResult

if TYPE_CHECKING:
    from tracker.files.agreement import AgreementFile


# What `tracker record` appends: every event type (a correction's replacement given whole).
RECORDABLE_TYPES: tuple[str, ...] = EVENT_TYPES


class Appended(msgspec.Struct, frozen=True):
    """What `record` or `retract` did (or, in a dry run, would do): the event's id, whether
    it is new, the version, and the event as plain data; `note`, how the agreement was chosen
    when the command did not name it and it could have been another."""

    event: str
    agreement: str
    written: bool
    version: int
    data: Mapping[str, Any]
    dry_run: bool = False
    note: str | None = None


class AddedSource(msgspec.Struct, frozen=True):
    """What `add_source` did: the source's id, whether it was new, and its text's size."""

    source: str
    agreement: str
    written: bool
    characters: int | None


class Writes(Base):
    """What writes to the log, and exports from it."""

    # Writing

    def append(
        self,
        agreement: str,
        events: Sequence[Event],
        expected_version: int | None = None,
        *,
        dry_run: bool = False,
    ) -> AppendResult:
        """Append events to an agreement's log in one transaction (see EventStore.append, which
        decides every rule of the log inside it: ids, references, placement, terms in force,
        citations and their quotes). A dry run checks everything and writes nothing."""
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
        from tracker.core.ids import derived_ids
        from tracker.core.wording import describe

        if fields.get("type") == "term.set" and "value" not in fields:
            raise InvalidEventError(
                "term.set needs --value (a JSON object; {} for none): it replaces the whole term"
            )
        data = {**fields, "agreement": agreement}
        ids = [data["id"]] if data.get("id") else derived_ids(data)
        for id_ in ids:  # a derived id that another event holds is lengthened
            try:
                event = event_from_dict({**data, "id": id_})
            except ValidationError as e:
                raise InvalidEventError(describe(e)) from e
            try:
                result = self.append(agreement, [event], expected_version, dry_run=dry_run)
                break
            except EventConflictError:
                if id_ == ids[-1]:
                    raise
        written = result.written > 0
        return Appended(event.id, agreement, written, result.version, event_to_dict(event), dry_run)

    def add_source(
        self, agreement: str, fields: Mapping[str, Any], text: Path | None = None
    ) -> AddedSource:
        """Store a source for an agreement's citations, with the text read from `text`; the
        same source again is already present, another with its id is an error."""
        from tracker.core.events import Source
        from tracker.core.provenance import sha256
        from tracker.core.validation import ValidationError, model_of, value
        from tracker.core.wording import describe
        from tracker.files.agreement import read_source_text

        with self.store.on_primary():
            self.store.require(agreement)
            try:
                source = value(Source, {**fields, "file": text.name if text else None})
            except ValidationError as e:
                raise InvalidEventError(f"source: {describe(e, model_of(Source))}") from e
            body = read_source_text(text, str(text)) if text is not None else None
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
        agreement: str | None = None,
    ) -> Appended:
        """Append a retraction of an earlier event, to that event's agreement (see
        `event_agreement`); `sources` (as in an agreement file) say who withdrew it, which
        `--published-by` reads."""
        with self.store.on_primary():
            agreement, note = self.event_agreement(event, agreement)
        fields = {
            "type": "event.retracted",
            "target": event,
            "reason": reason,
            "effective": effective,
            "id": id_,
            "sources": [dict(c) for c in sources],
        }
        done = self.record(agreement, fields, expected_version, dry_run=dry_run)
        return msgspec.structs.replace(done, note=note)

    def event_agreement(self, event: str, agreement: str | None) -> tuple[str, str | None]:
        """The agreement of an event id (ids are unique within an agreement, not across
        agreements): the one named, which must hold it; else the default agreement when it
        holds it (saying so when the database holds others); else the only agreement that
        does (several: AmbiguousAgreementError naming them). With a note of how it was
        chosen, when it could have been another."""
        if agreement is not None:
            self.store.require(agreement)
            if not self.store.holds(agreement, event):
                raise NotFoundError(f"no event {event!r} in agreement {agreement!r}")
            return agreement, None
        default = self.default_agreement()
        if default is not None and self.store.holds(default, event):
            others = len(self.store.agreements()) > 1
            note = f"{event!r} taken as of the default agreement {default!r}" if others else None
            return default, note
        holders = self.store.agreements_of(event)
        if not holders:
            raise NotFoundError(f"no event {event!r}")
        if len(holders) > 1:
            from tracker.errors import AmbiguousAgreementError

            listing = ", ".join(holders)
            raise AmbiguousAgreementError(
                f"event {event!r} is in several agreements ({listing}): name one, "
                f"as in: tracker retract {holders[0]} {event}"
            )
        return holders[0], None

    def import_files(self, paths: Sequence[Path], *, dry_run: bool = False) -> list[AppendResult]:
        """Validate every file, and check that all of them would append, before writing any;
        then append each file in its own transaction. A dry run stops before writing. A
        folder stands for its agreement files (`agreement_files`): one result per file."""
        from tracker.files.agreement import load

        paths = agreement_files(paths)
        files = [load(path) for path in paths]
        with self.store.on_primary():  # the checks of a write read where it is written
            for path, file in zip(paths, files, strict=True):
                self._check_file_head(path, file)
            batches = [file.batch() for file in files]
            self._check_agreements(paths, batches)
        # Files that create an agreement go before the amendment files of the same import.
        order = sorted(range(len(batches)), key=lambda i: not _creates(batches[i]))
        batches = [batches[i] for i in order]
        in_order = [paths[i] for i in order]
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
        if head is None:
            return
        stored = [r.event for r in self.store.read(file.agreement)]
        problem = file_head_problem(
            str(path), file.agreement, head.version, head.digest, stored, file.events
        )
        if problem is not None:
            raise IntegrityError(problem)

    def import_file(self, path: Path) -> AppendResult:
        """Validate an agreement file whole, then append it in one transaction."""
        return self.import_files([path])[0]

    # Files out

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


def _creates(batch: Batch) -> bool:
    return any(isinstance(e, AgreementCreated) for e in batch.events)
