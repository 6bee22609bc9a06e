"""The base of `Tracker`: the store it reads, closing it, agreements and their sources."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Self

import msgspec

from tracker.core.events import (
    Fact,
    StoredSource,
)
from tracker.core.projector import known, resolve
from tracker.core.state import (
    Coverage,
    EndedTerm,
    Possible,
    Recorded,
    TermState,
)
from tracker.errors import (
    AmbiguousAgreementError,
)
from tracker.store.log import EventStore

if TYPE_CHECKING:
    pass


class AgreementSummary(msgspec.Struct, frozen=True):
    """One agreement in the database: its id, title and version."""

    agreement: str
    title: str
    version: int


class History(msgspec.Struct, frozen=True):
    """An agreement's events in effective order, and which of them no longer count."""

    records: list[Recorded]
    retracted: Mapping[str, str]
    corrected_by: Mapping[str, tuple[str, ...]]


class TermEntry(msgspec.Struct, frozen=True, gc=False):
    """One agreement's answer to the portfolio question: the term in force, ended, or
    possibly changed by an imprecise date (each as `state` has it; None where it has not).
    One per agreement: out of the garbage collector's way, as tracker.core.state's values."""

    agreement: str
    term: TermState | None
    ended: EndedTerm | None
    possible: Possible | None
    coverage: Coverage | None = None  # how far the agreement's record reaches


class Base:
    """A store, with the agreement and source lookups every part of `Tracker` uses."""

    def __init__(self, store: EventStore, created: Path | None = None) -> None:
        self.store = store
        self._created = created

    # Opening and the database

    def close(self, *, discard: bool = False) -> None:
        """Close the database (SQLite then folds its WAL into the `.db` file); with
        `discard`, remove a SQLite file that opening this tracker created."""
        self.store.close()
        if discard and self._created is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                self._created.with_name(self._created.name + suffix).unlink(missing_ok=True)
            self._created = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(discard=kind is not None)

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

    def facts(self, agreement: str, known_at: dt.datetime | None = None) -> list[Fact]:
        """The facts that count (retractions and corrections applied), in valid-time order."""
        self._asked(known_at)
        return [a.fact for a in resolve(known(self.store.read(agreement), known_at)).facts]

    def _asked(self, known_at: dt.datetime | None) -> None:
        """Tell the store the moment a question names, if it names one: a replica answers
        it only once it has replayed past that moment (see EventStore.moment)."""
        if known_at is not None:
            self.store.moment(known_at)

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
