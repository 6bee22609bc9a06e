"""Every event, corrections included, keeps the rules of the whole log (SQLite, PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_store import created, term_set
from tracker.core.events import Event, Source, StoredSource, event_from_dict
from tracker.core.provenance import sha256
from tracker.errors import InvalidEventError
from tracker.store.log import EventStore


def event(type_: str, id_: str, effective: str, **fields: Any) -> Event:
    data = {"type": type_, "id": id_, "agreement": "acme", "effective": effective, **fields}
    return event_from_dict(data)


def proposed(id_: str = "p", effective: str = "2025-03-01") -> Event:
    return event("term.proposed", id_, effective, term="supply.volume", summary="Twelve a day")


def resolved(id_: str, resolution: str, effective: str = "2025-04-01") -> Event:
    return event("proposal.resolved", id_, effective, proposal="p", resolution=resolution)


def corrected(target: str, replacement: dict[str, Any], effective: str = "2025-05-01") -> Event:
    return event(
        "event.corrected", "fix", effective, target=target, reason="r", replacement=replacement
    )


def refused(store: EventStore, new: Event) -> str:
    """The one-line refusal of an append; the log must be left as it was."""
    before = store.version("acme")
    with pytest.raises(InvalidEventError) as raised:
        store.append("acme", [new])
    assert store.version("acme") == before
    return str(raised.value)


def test_a_correction_cannot_make_a_second_agreement_created(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    takeover = {"type": "agreement.created", "effective": "2025-02-01", "title": "Mine",
                "parties": [{"name": "Me", "role": "owner"}]}  # fmt: skip

    message = refused(store, corrected("a", takeover))

    assert message == ("event 'fix': the agreement would have 2 agreement.created events, not one")


def test_a_correction_cannot_move_a_proposal_after_its_resolution(store: EventStore) -> None:
    store.append("acme", [created(), proposed(), resolved("r1", "rejected")])
    later = {"type": "term.proposed", "effective": "2025-06-01", "term": "supply.volume",
             "summary": "Twelve a day"}  # fmt: skip

    message = refused(store, corrected("p", later))

    assert message == (
        "event 'fix': 'p' would be resolved on 2025-04-01, before it was made (2025-06-01)"
    )


def test_a_correction_cannot_date_a_term_before_the_agreement(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    early = {"type": "term.set", "effective": "2024-06-01", "term": "supply.volume",
             "summary": "Ten a day"}  # fmt: skip

    message = refused(store, corrected("a", early))

    assert message == (
        "event 'fix': dated 2024-06-01, before agreement 'acme' was created (2025-01-01)"
    )


def test_a_proposal_is_resolved_only_once(store: EventStore) -> None:
    store.append("acme", [created(), proposed(), resolved("r1", "adopted")])

    message = refused(store, resolved("r2", "rejected", "2025-04-02"))

    assert message == "event 'r2': proposal 'p' is already resolved by 'r1'"


def test_a_term_cannot_be_dated_before_the_agreement(store: EventStore) -> None:
    store.append("acme", [created()])
    early = event("term.set", "early", "2024-12-31", term="supply.volume", summary="Ten a day")

    message = refused(store, early)

    assert message == (
        "event 'early': dated 2024-12-31, before agreement 'acme' was created (2025-01-01)"
    )


def test_retracting_a_resolution_lets_the_proposal_be_resolved_again(store: EventStore) -> None:
    store.append("acme", [created(), proposed(), resolved("r1", "adopted")])
    store.append("acme", [event("event.retracted", "x", "2025-04-05", target="r1", reason="no")])

    result = store.append("acme", [resolved("r2", "rejected", "2025-04-06")])

    assert result.written == 1


def test_the_agreement_created_event_cannot_be_retracted(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    gone = event("event.retracted", "x", "2025-04-05", target="acme-created", reason="no")

    message = refused(store, gone)

    assert message == "the agreement would be left without its agreement.created event"


def test_the_store_refuses_an_amendment_of_a_term_another_writer_ended(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    store.append("acme", [event("term.ended", "end", "2025-06-01", term="supply.volume",
                                reason="terminated")])  # fmt: skip

    message = refused(
        store, event("term.amended", "amend", "2025-07-01", term="supply.volume", changes={"n": 1})
    )

    assert message == (
        "event 'amend': term 'supply.volume' is not in force on 2025-07-01; term.amended "
        "applies to a term in force (term.set puts one in force)"
    )


def test_the_store_refuses_an_end_that_leaves_a_later_amendment_of_an_ended_term(
    store: EventStore,
) -> None:
    store.append("acme", [created(), term_set("a")])
    store.append("acme", [event("term.amended", "amend", "2025-07-01", term="supply.volume",
                                changes={"n": 1})])  # fmt: skip

    message = refused(
        store, event("term.ended", "end", "2025-06-01", term="supply.volume", reason="terminated")
    )

    assert message == (
        "event 'end': ending term 'supply.volume' on 2025-06-01 leaves term.amended 'amend' of "
        "2025-07-01 applying to a term not in force; end it after that, or retract that event "
        "first"
    )


def test_an_end_after_the_last_amendment_is_appended(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a")])
    store.append("acme", [event("term.amended", "amend", "2025-07-01", term="supply.volume",
                                changes={"n": 1})])  # fmt: skip

    result = store.append(
        "acme", [event("term.ended", "end", "2025-08-01", term="supply.volume", reason="expired")]
    )

    assert (result.written, result.version) == (1, 4)


def amend(id_: str, effective: str) -> Event:
    return event("term.amended", id_, effective, term="supply.volume", changes={"n": 1})


def test_the_store_refuses_a_term_set_that_expires_before_a_later_amendment(
    store: EventStore,
) -> None:
    store.append("acme", [created(), term_set("a"), amend("amend", "2025-07-01")])
    expiring = event("term.set", "again", "2025-03-01", term="supply.volume",
                     summary="Ten a day until May", expires="2025-05-31")  # fmt: skip

    message = refused(store, expiring)

    assert message == (
        "event 'again': this term.set leaves term.amended 'amend' of 2025-07-01 applying to "
        "term 'supply.volume' when it is not in force; retract that event first"
    )


def test_the_store_refuses_a_retraction_of_the_set_a_later_amendment_applies_to(
    store: EventStore,
) -> None:
    store.append("acme", [created(), term_set("a"), amend("amend", "2025-07-01")])
    retraction = event("event.retracted", "unset", "2025-08-01", target="a", reason="wrong")

    message = refused(store, retraction)

    assert message == (
        "event 'unset': this event.retracted leaves term.amended 'amend' of 2025-07-01 "
        "applying to term 'supply.volume' when it is not in force; retract that event first"
    )


def test_the_store_refuses_a_correction_that_moves_a_set_after_its_amendment(
    store: EventStore,
) -> None:
    store.append("acme", [created(), term_set("a"), amend("amend", "2025-07-01")])
    later = {"type": "term.set", "effective": "2025-09-01", "term": "supply.volume",
             "summary": "Ten widgets a day", "value": {"per_day": 10}}  # fmt: skip

    message = refused(store, corrected("a", later))

    assert message == (
        "event 'fix': this event.corrected leaves term.amended 'amend' of 2025-07-01 applying "
        "to term 'supply.volume' when it is not in force; retract that event first"
    )


def test_retracting_an_amendment_and_then_its_set_is_appended(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), amend("amend", "2025-07-01")])

    result = store.append("acme", [
        event("event.retracted", "unamend", "2025-08-01", target="amend", reason="wrong"),
        event("event.retracted", "unset", "2025-08-01", target="a", reason="wrong"),
    ])  # fmt: skip

    assert (result.written, result.version) == (2, 5)


def test_an_amendment_in_the_same_batch_as_its_set_is_appended(store: EventStore) -> None:
    store.append("acme", [created()])

    result = store.append("acme", [term_set("a"), amend("amend", "2025-07-01")])

    assert (result.written, result.version) == (2, 3)


def test_the_store_refuses_a_citation_of_an_unknown_source(store: EventStore) -> None:
    store.append("acme", [created()])
    cited = event("term.set", "cited", "2025-02-01", term="supply.volume", summary="Ten",
                  sources=[{"source": "memo", "stance": "supports"}])  # fmt: skip

    message = refused(store, cited)

    assert message == "event 'cited': field sources.0.source: unknown source 'memo'"


def test_the_store_refuses_an_unquoted_citation_of_a_source_with_stored_text(
    store: EventStore,
) -> None:
    text = "Acme will supply ten widgets a day."
    memo = StoredSource(source=Source(id="memo", title="Memo"), text=text, sha256=sha256(text))
    store.append("acme", [created()], sources=[memo])
    cited = event("term.set", "cited", "2025-02-01", term="supply.volume", summary="Ten",
                  sources=[{"source": "memo", "stance": "supports"}])  # fmt: skip

    message = refused(store, cited)

    assert message == (
        "event 'cited': field sources.0.quote: source 'memo' has stored text, so the citation "
        "must quote it (--cite memo=QUOTE)"
    )
