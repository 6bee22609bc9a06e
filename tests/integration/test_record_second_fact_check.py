"""The shipped record after its second fact-check, and its early history (2019–2024): each
numbered point of the fact-check pinned by a test that names it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import ROOT
from tracker.cli.shapes import conflicts_json
from tracker.core.events import Fact
from tracker.core.provenance import corroboration
from tracker.service import Tracker

AGREEMENT = "microsoft-openai"
KNOWN_AT = dt.datetime(2026, 1, 1)
VERGE = "verge-2025-01-21"
CAPTURE = "verge-2025-01-21-capture"
V000 = "verge-rewrite-2026-03-19"
V003 = "verge-summary-2025-01-22"
R002 = "unknown-ends-exclusive-cloud"
R004 = "unknown-stargate-adjustment"
BLOG = "microsoft-blog-2025-01-21"
UNTIL_2030 = [(R002, "will continue until 2030"), (V000, "(which will last until 2030)")]


def fact(record: Tracker, event: str) -> Fact:
    [found] = [f for f in record.facts(AGREEMENT) if f.id == event]
    return found


def cited(record: Tracker, event: str, source: str) -> list[tuple[str | None, str, str | None]]:
    """The (quote, stance, relays) of each citation of a source by an event."""
    return [
        (c.quote, c.stance, c.relays) for c in fact(record, event).sources if c.source == source
    ]


def contradictions(record: Tracker, event: str) -> list[dict[str, str]]:
    report = conflicts_json(record.conflicts(AGREEMENT))
    return next(c["contradicts"] for c in report["conflicts"] if c["event"] == event)


def state(record: Tracker, day: str):
    return record.state(AGREEMENT, dt.date.fromisoformat(day), KNOWN_AT)


def test_point_1_ip_rights_end_with_2030_only_and_002s_guess_is_not_cited(record: Tracker) -> None:
    ip = state(record, "2025-01-21").terms["ip.rights"]

    assert (str(ip.expires), ip.ends_when) == ("2030-12-31", None)
    assert cited(record, "2025-01-21-ip-rights-through-2030", R002) == [
        (
            "Microsoft reaffirmed in its blog post that “key elements” of its long-standing"
            " cooperation with OpenAI, such as access to OpenAI’s intellectual property",
            "supports",
            BLOG,
        )
    ]


def test_point_2_unable_to_meet_is_the_fallback_and_chooses_not_to_contradicts(
    record: Tracker,
) -> None:
    event = "2025-01-21-cloud-rofr-if-declined"

    rofr = state(record, "2025-01-21").terms["cloud.exclusivity"]

    assert rofr.value["if_declined"] == (
        "If Microsoft is unable to meet OpenAI's compute needs, OpenAI may partner with other"
        " cloud providers."
    )
    assert cited(record, event, R004) == [
        (
            "If Microsoft is unable to meet OpenAI’s growing compute needs, the AI company is"
            " allowed to partner with alternative cloud providers",
            "supports",
            None,
        )
    ]
    assert contradictions(record, event) == [
        {
            "source": R002,
            "quote": "If Microsoft chooses not to, OpenAI is free to partner with other providers.",
        }
    ]
    assert cited(record, event, "techcrunch-2025-01-21") == [(None, "supports", None)]


def test_point_3_azure_commitment_is_not_added_by_the_2025_01_21_diff(record: Tracker) -> None:
    diff = record.diff(AGREEMENT, dt.date(2025, 1, 20), dt.date(2025, 1, 21), KNOWN_AT)
    commitment = fact(record, "2025-01-21-azure-commitment")

    assert (str(commitment.effective), str(commitment.announced)) == (
        "../2025-01-21",
        "2025-01-21",
    )
    assert [(c.term, c.change) for c in diff.changes] == [
        ("cloud.azure_commitment", "settled"),
        ("cloud.exclusivity", "changed"),
        ("cloud.own_capacity", "added"),
    ]
    assert "cloud.azure_commitment" in state(record, "2025-01-20").possible


def test_point_4_seed_001_is_a_later_capture_and_friction_is_the_originals(
    record: Tracker,
) -> None:
    sources = record.sources(AGREEMENT)
    verge, capture = sources[VERGE], sources[CAPTURE]

    assert (verge.text, verge.source.url, str(verge.source.published)) == (None, None, "2025-01-21")
    assert (capture.source.derived_from, capture.source.published) == (VERGE, None)
    assert capture.source.file == "sources/001_da70440169dfad51.txt"
    assert [c.stance for c in fact(record, "before-2025-01-21-nyt-strain").sources] == [
        "supports"
    ] * 5
    assert all(
        c["event"] != "before-2025-01-21-nyt-strain"
        for c in conflicts_json(record.conflicts(AGREEMENT))["conflicts"]
    )
    assert sources["verge-2025-01-21-copy-wilsonsmedia"].source.derived_from == VERGE


def test_point_5_002_relays_the_blog_and_there_is_no_blog_in_002_source(
    record: Tracker,
) -> None:
    sources = record.sources(AGREEMENT)
    capacity = corroboration(
        state(record, "2025-01-21").terms["cloud.own_capacity"].citations, sources
    )

    assert "microsoft-blog-2025-01-21-in-002" not in sources
    assert sources[R002].source.derived_from == "techcrunch-2025-01-21"
    assert cited(record, "2025-01-21-api-availability", R002) == [
        (
            "In addition to being accessible through the Azure OpenAI Service, the blog post"
            " states that the OpenAI API is proprietary to Azure and operates on Azure.",
            "supports",
            BLOG,
        ),
        (
            "“This agreement means customers benefit from having access to leading models on"
            " Microsoft platforms and direct from OpenAI.”",
            "supports",
            BLOG,
        ),
    ]
    assert (capacity.independent, capacity.originals) == (1, (BLOG,))


@pytest.mark.parametrize(
    "event",
    [
        "2025-01-21-api-exclusivity-affirmed",
        "2025-01-21-ip-rights-affirmed",
        "2025-01-21-revenue-share-affirmed",
    ],
)
def test_point_6_until_2030_is_the_looser_reading_and_listed_as_a_conflict(
    record: Tracker, event: str
) -> None:
    assert [(c["source"], c["quote"]) for c in contradictions(record, event)] == UNTIL_2030
    assert (CAPTURE, "(which runs through 2030)") in [
        (c.source, c.quote) for c in fact(record, event).sources if c.stance == "supports"
    ]


def test_point_6_through_2030_terms_expire_on_2030_12_31(record: Tracker) -> None:
    terms = state(record, "2025-01-21").terms

    assert {
        k: str(terms[k].expires) for k in ("api.exclusivity", "ip.rights", "revenue.share")
    } == {
        "api.exclusivity": "2030-12-31",
        "ip.rights": "2030-12-31",
        "revenue.share": "2030-12-31",
    }


def test_point_7_page_datelines_are_not_publication_days(record: Tracker) -> None:
    sources = record.sources(AGREEMENT)
    record_file = (ROOT / "events" / "microsoft-openai.yaml").read_text(encoding="utf-8")

    assert (sources[V000].source.published, sources[V003].source.published) == (None, None)
    assert cited(record, "2025-01-21-cloud-rofr", V000) == [
        (
            "includes changes to the exclusivity of new capacity and a transition to a model"
            " where Microsoft has a right of first refusal (ROFR)",
            "supports",
            BLOG,
        )
    ]
    assert "not the day\n  # of the story it rewrites" in record_file


def test_point_8_stargate_member_lists_conflict(record: Tracker) -> None:
    assert contradictions(record, "2025-01-21-stargate-announced") == [
        {
            "source": V003,
            "quote": "This change follows a joint venture announcement involving Arm, Microsoft,"
            " Nvidia, Oracle, and OpenAI to create data centers in the U.S. called Starbase.",
        },
        {"source": R002, "quote": "involving SoftBank, Oracle, and others"},
        {
            "source": R004,
            "quote": "backed by OpenAI, SoftBank, Oracle, and other prominent collaborators",
        },
    ]
    assert contradictions(record, "2025-01-21-stargate-softbank") == [
        {
            "source": CAPTURE,
            "quote": "a joint venture between Arm, Microsoft, Nvidia, Oracle, and OpenAI",
        }
    ]


def test_point_9_api_exclusivity_starts_with_its_first_public_statement(record: Tracker) -> None:
    assert "api.exclusivity" not in state(record, "2019-07-22").possible
    assert "api.exclusivity" not in state(record, "2023-01-22").terms
    api = state(record, "2023-01-23").terms["api.exclusivity"]
    assert (str(api.since), str(api.expires), api.certainty) == (
        "2023-01-23",
        "2030-12-31",
        "confirmed",
    )


def test_point_10_cloud_exclusivity_before_2025_reflects_the_oracle_deal(record: Tracker) -> None:
    before = state(record, "2024-06-10").terms["cloud.exclusivity"]
    after = state(record, "2025-01-20").terms["cloud.exclusivity"]

    assert before.value == {
        "model": "exclusive",
        "provider": "Microsoft Azure",
        "scope": "all of OpenAI's computing needs",
    }
    assert after.value == {
        "model": "exclusive",
        "provider": "Microsoft Azure",
        "scope": (
            "OpenAI's computing needs, but for Oracle capacity that extends the Azure AI platform"
        ),
        "except": "Oracle Cloud Infrastructure, extending the Microsoft Azure AI platform",
    }
    assert after.events[-1] == "2024-06-11-cloud-exclusivity-oracle-exception"


def test_early_history_on_2019_07_22(record: Tracker) -> None:
    terms = state(record, "2019-07-22").terms

    assert sorted(terms) == ["cloud.exclusivity", "investment.microsoft"]
    assert terms["investment.microsoft"].value == {
        "investor": "Microsoft",
        "amount_usd": 1000000000,
        "purpose": "support OpenAI building artificial general intelligence (AGI)",
    }
    assert terms["investment.microsoft"].certainty == "confirmed"


def test_early_history_on_2023_01_23(record: Tracker) -> None:
    terms = state(record, "2023-01-23").terms

    assert sorted(terms) == ["api.exclusivity", "cloud.exclusivity", "investment.microsoft"]
    assert terms["investment.microsoft"].value["extension"] == (
        "a multiyear, multibillion-dollar investment (2023-01-23), amount not disclosed"
    )
    assert terms["cloud.exclusivity"].value["model"] == "exclusive"
    assert "2023-01-23-azure-powers-all-openai-workloads" in terms["cloud.exclusivity"].affirmed_by


def test_early_history_on_2023_12_01_microsoft_observes_the_board(record: Tracker) -> None:
    seat = state(record, "2023-12-01").terms["governance.board_observer"]

    assert (seat.value, str(seat.since), seat.certainty) == (
        {
            "holder": "Microsoft",
            "seat": "non-voting observer",
            "board": "OpenAI's new initial board",
        },
        "2023-11-29",
        "confirmed",
    )


def test_early_history_on_2024_08_01_the_seat_is_given_up(record: Tracker) -> None:
    on = state(record, "2024-08-01")
    ended = on.ended["governance.board_observer"]

    assert "governance.board_observer" not in on.terms
    assert (str(ended.ended), ended.reason, ended.certainty) == (
        "2024-07-09",
        "terminated",
        "confirmed",
    )


def test_section_4_independence_counts_originals_so_reports_relaying_one_blog_count_once(
    record: Tracker,
) -> None:
    sources = record.sources(AGREEMENT)
    terms = state(record, "2025-01-21").terms
    keys = [
        "agi.clause",
        "api.exclusivity",
        "cloud.azure_commitment",
        "cloud.exclusivity",
        "cloud.own_capacity",
        "cloud.third_party_capacity",
        "ip.rights",
        "revenue.share",
    ]

    originals = {k: corroboration(terms[k].citations, sources).originals for k in keys}

    assert originals == {
        "agi.clause": (VERGE, "techcrunch-2025-01-21"),
        "api.exclusivity": ("microsoft-blog-2023-01-23", BLOG, VERGE),
        "cloud.azure_commitment": (BLOG,),
        "cloud.exclusivity": (BLOG, VERGE, "techcrunch-2025-01-21"),
        "cloud.own_capacity": (BLOG,),
        "cloud.third_party_capacity": ("oracle-2024-06-11", VERGE, "techcrunch-2025-01-21"),
        "ip.rights": (BLOG, VERGE, "techcrunch-2025-01-21"),
        "revenue.share": (BLOG, VERGE, "techcrunch-2025-01-21"),
    }
