"""Questions of the log: state, terms, diffs, explanations, history, reach, provenance."""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from msgspec.structs import replace

from tracker.core.events import (
    term_of,
)
from tracker.core.projector import known, lone_set, one_term, project, resolve
from tracker.core.state import (
    AgreementState,
    Coverage,
)
from tracker.errors import (
    NotFoundError,
    TrackerError,
)
from tracker.service.base import Base, History, TermEntry
from tracker.store.log import Reach

if TYPE_CHECKING:
    from tracker.core.diff import StateDiff
    from tracker.core.explain import Explanation
    from tracker.core.provenance import ConflictReport, SourceUse
    from tracker.store.terms import Answer

_TERM_KEY = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)*")


class Queries(Base):
    """The questions users ask of an agreement's log."""

    def source_uses(self, agreement: str) -> list[SourceUse]:
        """Each source with how many facts it supports and contradicts."""
        from tracker.core.provenance import source_uses

        return source_uses(self.facts(agreement), self.sources(agreement))

    def conflicts(self, agreement: str, known_at: dt.datetime | None = None) -> ConflictReport:
        """Facts on which cited sources disagree, and facts resting on one source."""
        from tracker.core.provenance import conflict_report

        facts = self.facts(agreement, known_at)
        return conflict_report(agreement, facts, self.sources(agreement))

    def coverage(
        self,
        agreement: str,
        known_at: dt.datetime | None = None,
        published: dt.date | None = None,
    ) -> Coverage:
        """How far the agreement's record reaches, as known at `known_at` (now by default)
        and, with `published`, as the sources published by then told it: the day of its
        latest review, or the date of its latest event."""
        known_at = self.store.moment(known_at)
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

        if reach.stored is not None:
            return reach.stored
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
        known_at = self.store.moment(known_at)
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
        return self.store.state(agreement, as_of, known_at)

    def terms(
        self, key: str, as_of: dt.date, known_at: dt.datetime | None = None
    ) -> list[TermEntry]:
        """One term on `as_of`, as known at `known_at` (now by default), in every agreement
        that has it in force, ended, or possibly changed; by agreement. Each answer is what
        `state` says of the term: only the events the term index gives are replayed."""
        if len(key) > 100 or _TERM_KEY.fullmatch(key) is None:
            raise TrackerError(f"not a term key: {key!r} (lower-case words joined by dots)")
        known_at = self.store.moment(known_at)
        answers, logs = self.store.read_term(key, as_of, known_at)
        found = _answered(key, answers, as_of, known_at)
        for agreement, (created, records) in logs.items():
            term, ended, possible = one_term(key, records, created, as_of, known_at)
            if term or ended or possible:
                found.append(TermEntry(agreement, term, ended, possible))
        if not found:
            self._require_term(None, key, known_at)
        found.sort(key=_agreement)
        return self._with_reaches(found, known_at)

    def _with_reaches(self, entries: list[TermEntry], known_at: dt.datetime) -> list[TermEntry]:
        """The entries, each with its agreement's reach: those the term's read did not give (a
        replayed term's, one its reviews, retractions or corrections decide, or any asked about
        as known at a past moment) read now, together."""
        unreached = [e.agreement for e in entries if e.coverage is None]
        if not unreached:
            return entries
        reaches = self.store.read_reaches(unreached, known_at)
        return [
            e if e.coverage is not None else replace(e, coverage=self._reached(
                reaches[e.agreement]) or self.coverage(e.agreement, known_at))
            for e in entries
        ]  # fmt: skip

    def snapshot(self, agreement: str) -> None:
        """Write a current snapshot of the agreement: its fold at its latest version, which
        `state` then reads instead of the whole log while it still holds."""
        with self.store.on_primary():
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

        known_at = self.store.moment(known_at)
        records = self._read(agreement, max(start, end), known_at, published)
        found = diff_between(agreement, records, start, end, known_at)
        return replace(found, coverage=self.coverage(agreement, known_at, published))

    def knowledge_diff(
        self, agreement: str, as_of: dt.date, before: dt.datetime, after: dt.datetime
    ) -> StateDiff:
        """What was learned about the terms on `as_of` between two moments."""
        from tracker.core.diff import diff

        self._asked(max(before, after))
        records = self.store.read(agreement, until=as_of, known_at=max(before, after))
        return diff(
            project(agreement, records, as_of, before), project(agreement, records, as_of, after)
        )

    def publication_diff(
        self, agreement: str, as_of: dt.date, before: dt.date, after: dt.date
    ) -> StateDiff:
        """What the published record learned about the terms on `as_of` between two dates."""
        from tracker.core.diff import diff

        known_at = self.store.moment()
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

        known_at = self.store.moment(known_at)
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
        self._asked(known_at)
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


def _answered(
    key: str, answers: dict[str, Answer], as_of: dt.date, known_at: dt.datetime
) -> list[TermEntry]:
    """The entries of the agreements whose term a stored answer gives: its term.set's state,
    made straight from it (replay says what a damaged answer's event does), with the reach
    read with it."""
    found = []
    for agreement, answer in answers.items():
        term = lone_set(key, answer.record, as_of, known_at)
        if term is not None:
            found.append(TermEntry(agreement, term, None, None, answer.reach))
            continue
        term, ended, possible = one_term(key, [answer.record], None, as_of, known_at)
        if term or ended or possible:
            found.append(TermEntry(agreement, term, ended, possible, answer.reach))
    return found


def _agreement(entry: TermEntry) -> str:
    return entry.agreement
