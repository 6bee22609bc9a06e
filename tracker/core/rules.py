"""The rules an event must follow to join an agreement's log, and what an append leaves out:
`decide` holds every rule, and asks the log (the store, inside the append's transaction and
under its write lock) only for what the batch's events need (pure: the store fetches, these
functions decide)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import NamedTuple, Protocol

from msgspec.structs import asdict

from tracker.core import in_force
from tracker.core.events import (
    AgreementCreated,
    Event,
    EventCorrected,
    ProposalResolved,
    Source,
    StoredSource,
    reference,
)
from tracker.core.in_force import Needs
from tracker.core.placement import check_not_before, check_whole_log, needs_whole_log
from tracker.core.provenance import QuotedTexts, bad_citation, citations_of
from tracker.core.state import Recorded
from tracker.errors import EventConflictError, InvalidEventError


class Known(NamedTuple):
    """What the log knows of an event another one of its agreement refers to (`effective`:
    the first day its date can be)."""

    type: str
    effective: dt.date


def check_fits(agreement: str, version: int, event: Event, known: dict[str, Known]) -> None:
    """Raise InvalidEventError unless the event fits the log at `version`: a log starts with
    agreement.created, and refers only to earlier events of its own agreement (`known`: those
    it may refer to, by id)."""
    if version == 0 and not isinstance(event, AgreementCreated):
        raise InvalidEventError(
            f"event {event.id!r}: the first event of {agreement!r} must be agreement.created"
            " (an amendment file needs its agreement imported first)"
        )
    if version > 0 and isinstance(event, AgreementCreated):
        raise InvalidEventError(f"event {event.id!r}: agreement {agreement!r} already exists")
    ref = reference(event)
    if ref is None:
        return
    if ref not in known:
        raise InvalidEventError(
            f"event {event.id!r} refers to unknown event {ref!r} in {agreement!r}"
        )
    target = known[ref]
    if isinstance(event, ProposalResolved):
        if target.type != "term.proposed":
            raise InvalidEventError(
                f"event {event.id!r}: {ref!r} is not a proposal: its type is {target.type}, "
                "not term.proposed"
            )
        if event.effective.last < target.effective:
            raise InvalidEventError(
                f"event {event.id!r}: resolved on {event.effective}, before proposal {ref!r} "
                f"was made ({target.effective})"
            )
    if isinstance(event, EventCorrected) and target.type == "event.retracted":
        raise InvalidEventError(
            f"event {event.id!r}: a retraction cannot be corrected; retract {ref!r} instead"
        )


def check_all_fit(
    agreement: str, version: int, events: Sequence[Event], known: dict[str, Known]
) -> None:
    """Check each event in turn, as if those before it were already appended at `version`."""
    known = dict(known)
    for offset, event in enumerate(events):
        check_fits(agreement, version + offset, event, known)
        known[event.id] = Known(event.type, event.effective.first)


def new_events(agreement: str, events: Sequence[Event], stored: Mapping[str, Event]) -> list[Event]:
    """The events not stored yet (`stored`: the stored events with these ids). An event of
    another agreement, or an id already used by other content (stored, or earlier in the
    batch), is an error; an exact repeat is skipped, which makes appends idempotent."""
    seen: dict[str, Event] = {}
    new: list[Event] = []
    for event in events:
        if event.agreement != agreement:
            raise InvalidEventError(
                f"event {event.id!r} belongs to agreement {event.agreement!r}, not {agreement!r}"
            )
        earlier = seen.get(event.id) or stored.get(event.id)
        if earlier is not None and earlier != event:
            raise EventConflictError(_conflict(event, earlier, stored_too=event.id in stored))
        if earlier is None:
            new.append(event)
        seen[event.id] = event
    return new


def _conflict(event: Event, earlier: Event, *, stored_too: bool) -> str:
    """Why an id cannot be used again in its agreement: what differs, what to do."""
    where = "in the log" if stored_too else "earlier in the batch"
    if earlier.type != event.type:
        differs = f"it is a {earlier.type} there, a {event.type} here"
    else:
        before, after = asdict(earlier), asdict(event)
        fields = [k for k in after if before.get(k) != after.get(k)]
        differs = f"differs in: {', '.join(fields)}"
    return (
        f"event id {event.id!r} is already used {where} of {event.agreement!r} by an event "
        f"with other content ({differs}); to change a recorded event, record an "
        f"event.corrected with target {event.id!r}"
    )


def new_sources(
    sources: Sequence[StoredSource], stored: Mapping[str, StoredSource]
) -> list[StoredSource]:
    """The sources not stored yet; one stored with other content is an error."""
    new = []
    for s in sources:
        old = stored.get(s.source.id)
        if old is not None and old != s:
            raise EventConflictError(
                f"source {s.source.id!r} is already stored with other content (it differs in "
                f"{', '.join(_differences(old, s))}); give the new version another id"
            )
        if old is None:
            new.append(s)
    return new


def _differences(old: StoredSource, new: StoredSource) -> list[str]:
    """The fields in which two versions of a source differ."""
    names = [
        k for k in Source.__struct_fields__ if getattr(old.source, k) != getattr(new.source, k)
    ]
    return names + (["text"] if old.sha256 != new.sha256 else [])


class Log(Protocol):
    """What the rules may ask of an agreement's log, read inside the append's transaction."""

    def stored(self, ids: Sequence[str]) -> Mapping[str, Event]:
        """The agreement's stored events with these ids (ids are unique within an agreement)."""

    def references(self, events: Sequence[Event]) -> dict[str, Known]:
        """What the log knows of the events these events refer to."""

    def created(self) -> dt.date | None:
        """The first day of the agreement's creation (None: not created)."""

    def whole(self) -> list[Recorded]:
        """Every event of the agreement, in log order."""

    def presence(self, wanted: Mapping[str, Needs]) -> list[Recorded]:
        """The events that decide whether these terms are in force (see in_force.needs)."""

    def group_terms(self, event: Event) -> set[str]:
        """The terms of the group a retraction or correction joins."""

    def terms(self) -> set[str]:
        """Every term key the agreement's events name."""

    def sources(self, ids: Sequence[str]) -> Mapping[str, StoredSource]:
        """The agreement's sources with these ids, those of this batch among them, by id."""


def decide(agreement: str, version: int, events: Sequence[Event], log: Log) -> list[Event]:
    """The events of a batch to append to an agreement's log at `version` (exact repeats of
    stored ones left out), or InvalidEventError (EventConflictError) naming the first rule
    broken: ids, references, placement in the whole log, terms in force, citations."""
    ids = list(dict.fromkeys(e.id for e in events))
    new = new_events(agreement, events, log.stored(ids))
    check_all_fit(agreement, version, new, log.references(new))
    if not new:
        return new
    if needs_whole_log(new):
        existing = log.whole()
        later = [
            Recorded(e, in_force.AFTER_ALL + n, version + n + 1, dt.datetime.max)
            for n, e in enumerate(new)
        ]
        check_whole_log(existing, later)
    else:
        check_not_before(log.created(), new)
    wanted = in_force.needs(new, log.group_terms)
    if wanted:
        in_force.check(log.presence(wanted), new, log.terms)
    if any(e.sources or isinstance(e, EventCorrected) for e in new):
        check_citations(new, log.sources(_cited(new)))
    return new


def check_citations(events: Sequence[Event], sources: Mapping[str, StoredSource]) -> None:
    """Raise InvalidEventError for the first event whose citations name an unknown source,
    quote what its source's stored text does not hold, or leave unquoted a source whose text
    is stored (quote it, so that the claim can be checked)."""
    texts = QuotedTexts()  # each source text normalised once, however many quote it
    for event in events:
        problem = bad_citation(event, sources, texts) or _missing_quote(event, sources)
        if problem is not None:
            raise InvalidEventError(f"event {event.id!r}: {problem}")


def _cited(events: Sequence[Event]) -> list[str]:
    """The ids of the sources the events' citations name (and relay), each once."""
    cited = (c for e in events for c in citations_of(e))
    return list(dict.fromkeys(i for c in cited for i in (c.source, c.relays) if i is not None))


def _missing_quote(event: Event, sources: Mapping[str, StoredSource]) -> str | None:
    for i, citation in enumerate(citations_of(event)):
        stored = sources.get(citation.source)
        if citation.quote is None and stored is not None and stored.text is not None:
            return (
                f"field sources.{i}.quote: source {citation.source!r} has stored text, so the "
                f"citation must quote it (--cite {citation.source}=QUOTE)"
            )
    return None
