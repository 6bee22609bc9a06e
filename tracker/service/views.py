"""What the command line and the report assemble: the log view, timeline, report, upcoming."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from tracker.core.events import (
    Fact,
    StoredSource,
)
from tracker.core.projector import known, resolve
from tracker.core.state import (
    AgreementState,
    Coverage,
    Recorded,
)
from tracker.service.queries import Queries

if TYPE_CHECKING:
    from tracker.core.diff import StateDiff
    from tracker.core.explain import Explanation
    from tracker.core.provenance import ConflictReport
    from tracker.core.timeline import Timeline
    from tracker.core.upcoming import Coming


class Views(Queries):
    """Views over the queries: what a person reads at once."""

    def corrected(
        self, agreement: str, known_at: dt.datetime | None = None
    ) -> dict[str, Corrected]:
        """The agreement's corrected events by id: the corrections that count, and the content
        that counts now."""
        self._asked(known_at)
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

        known_at = self.store.moment(known_at)
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

        known_at = self.store.moment(known_at)
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

        known_at = self.store.moment(known_at)
        states = (self.state(a, as_of, known_at) for a in self._chosen(agreement))
        return upcoming(states, until)

    def coverages(
        self, known_at: dt.datetime | None = None, agreement: str | None = None
    ) -> dict[str, Coverage]:
        """How far each agreement's record (or `agreement`'s alone) reaches (see `coverage`),
        by agreement."""
        known_at = self.store.moment(known_at)
        return {a: self.coverage(a, known_at) for a in self._chosen(agreement)}

    def _chosen(self, agreement: str | None) -> list[str]:
        """Every agreement, or the one named."""
        return list(self.store.agreements()) if agreement is None else [agreement]


class Corrected(msgspec.Struct, frozen=True):
    """An event replaced by corrections: their ids, and the content that counts."""

    by: tuple[str, ...]
    content: Fact


class LogView(msgspec.Struct, frozen=True):
    """The log as people read it (see `Tracker.log_view`): with one term, `records` starts at
    the term's first event and only those from `start` are shown."""

    records: list[Recorded]
    retracted: Mapping[str, str]
    corrected: Mapping[str, Corrected]
    term: str | None
    start: dt.date | None


# Beyond this many turning days, a report holds the diffs of consecutive ones only.
MAX_REPORT_DATES = 100


class Report(msgspec.Struct, frozen=True):
    """What `Tracker.report` gathers for one agreement."""

    timeline: Timeline
    states: tuple[AgreementState, ...]  # before the first turning day, then on each one
    diffs: Mapping[tuple[int, int], StateDiff]  # by the indices of two states, earlier first
    explanations: tuple[Explanation, ...]
    conflicts: ConflictReport
    sources: dict[str, StoredSource]
