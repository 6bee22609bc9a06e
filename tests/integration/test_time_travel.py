"""Both time axes: known-at, corrections, back-dated facts, explain, and old event schemas."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT, Clock, pinned
from tracker.cli.shapes import diff_json, explain_json
from tracker.core.events import event_from_dict
from tracker.errors import InvalidEventError
from tracker.service import Tracker
from tracker.store import codec
from tracker.store.tables import events_table

AGREEMENT = "microsoft-openai"
S1 = dt.datetime(2025, 3, 1, 12, 0)
S2 = dt.datetime(2025, 4, 1, 12, 0)
BEFORE_S1 = dt.datetime(2025, 2, 15)
LATER = dt.datetime(2026, 1, 1)

ORACLE_CONFIRMED = {
    "type": "event.corrected",
    "id": "fix-oracle-certainty",
    "agreement": AGREEMENT,
    "effective": "2025-03-01",
    "target": "2024-06-11-oracle-capacity-blessing",
    "reason": "Oracle's press release confirms Microsoft's part in the deal",
    "replacement": {
        "type": "term.amended",
        "effective": "2024-06-11",
        "certainty": "confirmed",
        "term": "cloud.third_party_capacity",
        "summary": "OpenAI may use Oracle cloud capacity, with Microsoft's blessing",
        "changes": {"microsoft_approval": True},
        "sources": [{"source": "oracle-2024-06-11"}],
    },
}
AGI_SINCE_2019 = {
    "type": "term.set",
    "id": "agi-clause-since-2019",
    "agreement": AGREEMENT,
    "effective": "2019-07-22",
    "certainty": "reported",
    "term": "agi.clause",
    "summary": "AGI is carved out of Microsoft's rights since the 2019 deal",
    "value": {"effect": "Microsoft's access to post-AGI models can end"},
    "sources": [{"source": "microsoft-news-2019-07-22"}],
}


@pytest.fixture
def amended(shipped: Tracker, clock: Clock) -> Tracker:
    """The shipped record, corrected at S1 and given a back-dated fact at S2."""
    clock.set(S1)
    shipped.append(AGREEMENT, [event_from_dict(ORACLE_CONFIRMED)])
    clock.set(S2)
    shipped.append(AGREEMENT, [event_from_dict(AGI_SINCE_2019)])
    return shipped


def test_backdated_fact_changes_the_past_as_known_now(amended: Tracker) -> None:
    state = amended.state(AGREEMENT, dt.date(2024, 1, 1), LATER)

    assert state.terms["agi.clause"].since.text == "2019-07-22"


def test_backdated_fact_does_not_change_the_past_as_known_before(amended: Tracker) -> None:
    state = amended.state(AGREEMENT, dt.date(2024, 1, 1), S1 + dt.timedelta(days=1))

    assert sorted(state.terms) == ["api.exclusivity", "cloud.exclusivity"]


def test_correction_counts_only_from_when_it_was_recorded(amended: Tracker) -> None:
    before = amended.state(AGREEMENT, dt.date(2024, 7, 1), BEFORE_S1)
    after = amended.state(AGREEMENT, dt.date(2024, 7, 1), LATER)

    assert before.terms["cloud.third_party_capacity"].certainty == "reported"
    assert after.terms["cloud.third_party_capacity"].certainty == "confirmed"
    assert after.terms["cloud.third_party_capacity"].events == (
        "2024-06-11-oracle-capacity",
        "2024-06-11-oracle-capacity-blessing",
        "fix-oracle-certainty",
    )


def test_knowledge_diff_shows_what_was_learned_between_two_moments(amended: Tracker) -> None:
    result = amended.knowledge_diff(AGREEMENT, dt.date(2024, 7, 1), BEFORE_S1, LATER)

    assert diff_json(result) == pinned("knowledge-diff.json", diff_json(result))


def test_explain_marks_the_correction_with_its_reason(amended: Tracker) -> None:
    result = amended.explain(AGREEMENT, "cloud.third_party_capacity", dt.date(2025, 1, 21), LATER)

    assert explain_json(result) == pinned("explain-third-party-capacity.json", explain_json(result))


def test_explain_as_known_before_the_correction_shows_no_correction(amended: Tracker) -> None:
    result = amended.explain(
        AGREEMENT, "cloud.third_party_capacity", dt.date(2025, 1, 21), BEFORE_S1
    )

    assert [(s.content.id, s.status, s.content.certainty) for s in result.chain] == [
        ("2024-06-11-oracle-capacity", "counts", "confirmed"),
        ("2024-06-11-oracle-capacity-blessing", "counts", "reported"),
        ("2024-oracle-capacity-earlier-in-2024", "counts", "reported"),
    ]


def test_correcting_a_correction_replaces_the_same_event(amended: Tracker) -> None:
    second = {
        **ORACLE_CONFIRMED,
        "id": "fix-the-fix",
        "target": "fix-oracle-certainty",
        "reason": "the deal was announced on 2024-06-12",
        "replacement": {**ORACLE_CONFIRMED["replacement"], "effective": "2024-06-12"},  # type: ignore[dict-item]
    }
    amended.append(AGREEMENT, [event_from_dict(second)])

    state = amended.state(AGREEMENT, dt.date(2024, 6, 11))

    assert state.terms["cloud.third_party_capacity"].events == ("2024-06-11-oracle-capacity",)
    assert amended.state(AGREEMENT, dt.date(2024, 6, 12)).terms[
        "cloud.third_party_capacity"
    ].events == (
        "2024-06-11-oracle-capacity",
        "2024-06-11-oracle-capacity-blessing",
        "fix-oracle-certainty",
        "fix-the-fix",
    )


def test_retracting_a_retraction_restores_its_target(shipped: Tracker) -> None:
    retract = {
        "type": "event.retracted",
        "agreement": AGREEMENT,
        "effective": "2025-03-01",
        "reason": "doubt",
    }
    shipped.append(
        AGREEMENT, [event_from_dict({**retract, "id": "r1", "target": "2025-01-21-agi-clause"})]
    )
    gone = shipped.state(AGREEMENT, dt.date(2025, 1, 21))
    shipped.append(AGREEMENT, [event_from_dict({**retract, "id": "r2", "target": "r1"})])

    back = shipped.state(AGREEMENT, dt.date(2025, 1, 21))

    assert "agi.clause" not in gone.terms
    assert back.terms["agi.clause"].events == ("2025-01-21-agi-clause",)


def test_an_event_cannot_retract_itself() -> None:
    with pytest.raises(ValueError, match="an event cannot retract itself"):
        event_from_dict(
            {
                "type": "event.retracted",
                "id": "r",
                "agreement": AGREEMENT,
                "effective": "2025-03-01",
                "target": "r",
                "reason": "x",
            }
        )


def test_a_retraction_cannot_be_corrected(shipped: Tracker) -> None:
    shipped.append(
        AGREEMENT,
        [
            event_from_dict(
                {
                    "type": "event.retracted",
                    "id": "r1",
                    "agreement": AGREEMENT,
                    "effective": "2025-03-01",
                    "target": "2025-01-21-agi-clause",
                    "reason": "doubt",
                }
            )
        ],
    )
    fix = {**ORACLE_CONFIRMED, "id": "fix-r1", "target": "r1"}

    with pytest.raises(InvalidEventError) as raised:
        shipped.append(AGREEMENT, [event_from_dict(fix)])

    assert str(raised.value) == (
        "event 'fix-r1': a retraction cannot be corrected; retract 'r1' instead"
    )


def test_version_1_events_are_upcast_and_replay_to_the_pinned_state(tracker: Tracker) -> None:
    rows = json.loads((ROOT / "tests" / "fixtures" / "v1-events.json").read_text("utf-8"))
    prev, recorded_at = codec.GENESIS, dt.datetime(2024, 6, 1)
    with tracker.store.engine.begin() as conn:
        for version, row in enumerate(rows, start=1):
            payload = json.dumps(row["payload"], sort_keys=True)
            digest = codec.chain_hash(prev, "acme", version, recorded_at, payload)
            conn.execute(
                sa.insert(events_table).values(
                    position=version,  # the only agreement: its versions are the log's order
                    id=row["id"],
                    agreement="acme",
                    version=version,
                    type=row["type"],
                    schema_version=1,
                    effective=dt.date.fromisoformat(row["effective"]),
                    announced=None,
                    target=row["payload"].get("target"),
                    recorded_at=recorded_at,
                    payload=payload,
                    hash=bytes.fromhex(digest),
                )
            )
            prev = digest

    state = tracker.state("acme", dt.date(2024, 6, 1), LATER)

    assert {k: (t.summary, str(t.expires), t.sources) for k, t in state.terms.items()} == {
        "supply.volume": ("Ten widgets a day", "2024-12-31", ("memo", "letter")),
        "supply.price": ("Three euros a widget", "2024-06-30", ("letter",)),
    }
    assert tracker.state("acme", dt.date(2024, 7, 1), LATER).ended["supply.price"].reason == (
        "expired"
    )
