"""The shipped record, fact-checked against its five reports: each numbered point of the
fact-check pinned by a test that names it."""

from __future__ import annotations

import datetime as dt

from tests.conftest import ROOT
from tracker.cli.shapes import conflicts_json
from tracker.core.events import Fact
from tracker.service import Tracker

AGREEMENT = "microsoft-openai"
KNOWN_AT = dt.datetime(2026, 1, 1)
V001 = "verge-2025-01-21"
CAPTURE = "verge-2025-01-21-capture"
COPY = "verge-2025-01-21-copy-wilsonsmedia"
V000 = "verge-rewrite-2026-03-19"
V003 = "verge-summary-2025-01-22"
R002 = "unknown-ends-exclusive-cloud"
R004 = "unknown-stargate-adjustment"
BLOG = "microsoft-blog-2025-01-21"
TECHCRUNCH = "techcrunch-2025-01-21"
TIED_TO_2030_ONLY = ("api.exclusivity", "revenue.share")


def fact(shipped: Tracker, event: str) -> Fact:
    [found] = [f for f in shipped.facts(AGREEMENT) if f.id == event]
    return found


def cited(shipped: Tracker, event: str, source: str) -> list[tuple[str | None, str]]:
    """The (quote, stance) pairs with which an event cites a source."""
    return [(c.quote, c.stance) for c in fact(shipped, event).sources if c.source == source]


def test_point_1_report_004_contradicts_api_exclusivity_and_is_listed(shipped: Tracker) -> None:
    event = "2025-01-21-api-exclusive-through-2030"

    conflict = next(
        c for c in conflicts_json(shipped.conflicts(AGREEMENT))["conflicts"] if c["event"] == event
    )

    assert cited(shipped, event, R004) == [
        ("Microsoft retains exclusive access to OpenAI’s APIs", "contradicts")
    ]
    assert conflict["contradicts"] == [
        {"source": R004, "quote": "Microsoft retains exclusive access to OpenAI’s APIs"}
    ]


def test_point_2_the_agi_clause_is_the_narrower_reading(shipped: Tracker) -> None:
    event = "2025-01-21-agi-clause"

    clause = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT).terms["agi.clause"]

    assert clause.value["effect"] == (
        "Microsoft's access to some of OpenAI's most powerful models developed after AGI can end"
    )
    assert clause.value["agi_definition"] == (
        "systems able to generate more than $100 billion in profits"
    )
    assert [
        (c.source, c.stance) for c in fact(shipped, event).sources if c.source in (R002, R004)
    ] == [
        (R004, "supports"),
        (R004, "contradicts"),
        (R002, "contradicts"),
    ]
    assert cited(shipped, event, R004)[1] == (
        "Microsoft’s access to OpenAI’s technology would be terminated",
        "contradicts",
    )


def test_point_3_earlier_in_2024_affirms_the_oracle_deal_to_the_year(shipped: Tracker) -> None:
    event = "2024-oracle-capacity-earlier-in-2024"

    state = shipped.state(AGREEMENT, dt.date(2025, 1, 1), KNOWN_AT)

    assert (fact(shipped, event).type, str(fact(shipped, event).effective)) == (
        "term.affirmed",
        "2024",
    )
    assert cited(shipped, event, R004) == [
        (
            "Earlier in 2024, Microsoft, under pressure from shareholders, permitted OpenAI to"
            " finalize a deal with Oracle",
            "supports",
        )
    ]
    assert state.terms["cloud.third_party_capacity"].affirmed_by == (event,)
    assert all(
        c.stance == "supports"
        for c in fact(shipped, "2024-06-11-oracle-capacity").sources
        if c.source == R004
    )


def test_point_4_report_003_retaining_the_rofr_contradicts_its_start(shipped: Tracker) -> None:
    assert cited(shipped, "2025-01-21-cloud-rofr", V003) == [
        ("maintaining Microsoft's right of first refusal on new capacity", "contradicts"),
        ("with Microsoft retaining a right of first refusal on new capacity", "contradicts"),
    ]


def test_point_5_if_declined_is_004s_fallback_and_002s_chooses_not_to_contradicts(
    shipped: Tracker,
) -> None:
    # The second fact-check (point 2) turned this point round: 004's "unable to meet" is
    # TechCrunch's fallback, 002's "chooses not to" the garble.
    event = "2025-01-21-cloud-rofr-if-declined"

    rofr = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT).terms["cloud.exclusivity"]

    assert rofr.value["if_declined"] == (
        "If Microsoft is unable to meet OpenAI's compute needs, OpenAI may partner with other"
        " cloud providers."
    )
    assert cited(shipped, event, R002) == [
        (
            "If Microsoft chooses not to, OpenAI is free to partner with other providers.",
            "contradicts",
        )
    ]
    assert cited(shipped, event, R004) == [
        (
            "If Microsoft is unable to meet OpenAI’s growing compute needs, the AI company is"
            " allowed to partner with alternative cloud providers",
            "supports",
        )
    ]


def test_point_6_report_000s_dates_are_read_as_of_the_story_it_rewrites(shipped: Tracker) -> None:
    # The second fact-check (point 7): report 000's page dateline (2026-03-19) is not its
    # story's day, so its "in June" and "Last March" support, and the dateline is not cited.
    assert cited(shipped, "2024-06-11-oracle-capacity", V000) == [
        ("in June the startup partnered with Oracle", "supports")
    ]
    assert cited(shipped, "2024-03-suleyman-hire", V000) == [
        (
            "Last March, Microsoft hired Inflection CEO Mustafa Suleyman to lead its consumer"
            " artificial intelligence efforts",
            "supports",
        )
    ]
    assert cited(shipped, "2025-01-21-cloud-rofr", V000) == [
        (
            "includes changes to the exclusivity of new capacity and a transition to a model"
            " where Microsoft has a right of first refusal (ROFR)",
            "supports",
        )
    ]


def test_point_7_ip_rights_exclusivity_is_only_reported(shipped: Tracker) -> None:
    ip = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT).terms["ip.rights"]

    certainty = {name: f.certainty for name, f in ip.fields.items()}
    assert certainty == {"holder": "confirmed", "scope": "confirmed", "exclusive": "reported"}
    assert ip.certainty == "reported"
    assert ip.fields["exclusive"].sources == (V001, CAPTURE, V000, V003, R004)


def test_point_8_revenue_share_is_confirmed_and_its_20_percent_reported(shipped: Tracker) -> None:
    share = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT).terms["revenue.share"]

    fields = {name: (f.value, f.certainty) for name, f in share.fields.items()}
    assert fields == {
        "structure": ("two-way", "confirmed"),
        "microsoft_share_of_openai_revenue_percent": (20, "reported"),
    }


def test_point_9_stargate_and_the_oracle_deal_are_confirmed(shipped: Tracker) -> None:
    # Stargate was "reported" until the record cited its announcement (softbank-2025-01-22).
    oracle = shipped.state(AGREEMENT, dt.date(2024, 6, 11), KNOWN_AT).terms[
        "cloud.third_party_capacity"
    ]

    assert fact(shipped, "2025-01-21-stargate-announced").certainty == "confirmed"
    assert {name: f.certainty for name, f in oracle.fields.items()} == {
        "providers": "confirmed",
        "purpose": "confirmed",
        "microsoft_approval": "reported",
        "approved_under": "reported",
    }
    assert oracle.fields["providers"].sources[0] == "oracle-2024-06-11"


def test_point_10_long_standing_terms_predate_and_are_affirmed_on_2025_01_21(
    shipped: Tracker,
) -> None:
    early = shipped.state(AGREEMENT, dt.date(2024, 12, 31), KNOWN_AT)
    eve = shipped.state(AGREEMENT, dt.date(2025, 1, 20), KNOWN_AT)
    diff = shipped.diff(AGREEMENT, dt.date(2025, 1, 20), dt.date(2025, 1, 21), KNOWN_AT)

    lasting = ["agi.clause", "ip.rights", "revenue.share"]
    assert {k: p.certainty for k, p in early.possible.items()} == {
        "agi.clause": "reported",
        "cloud.azure_commitment": "confirmed",
        "ip.rights": "reported",
        "revenue.share": "reported",
    }
    assert {k: str(eve.terms[k].since) for k in lasting} == dict.fromkeys(lasting, "../2025-01-20")
    assert (
        str(early.terms["api.exclusivity"].since),
        early.terms["api.exclusivity"].certainty,
    ) == (
        "2023-01-23",
        "confirmed",
    )
    assert [(c.term, c.change) for c in diff.changes] == [
        ("cloud.azure_commitment", "settled"),
        ("cloud.exclusivity", "changed"),
        ("cloud.own_capacity", "added"),
    ]
    assert [(a.term, a.event) for a in diff.affirmed] == [
        ("api.exclusivity", "2025-01-21-api-exclusivity-affirmed"),
        ("ip.rights", "2025-01-21-ip-rights-affirmed"),
        ("revenue.share", "2025-01-21-revenue-share-affirmed"),
    ]


def test_point_11_the_agi_clause_and_waiver_rumour_have_no_invented_announcement(
    shipped: Tracker,
) -> None:
    clause = fact(shipped, "2025-01-21-agi-clause")
    waiver = fact(shipped, "2025-01-21-agi-clause-waiver-considered")

    assert (clause.announced, str(clause.effective)) == (None, "../2025-01-20")
    assert (waiver.announced, str(waiver.effective)) == (None, "../2025-01-20")


def test_point_12_ip_rights_end_with_2030_only(shipped: Tracker) -> None:
    # The second fact-check (point 1) dropped the AGI condition: AGI would end Microsoft's
    # access only to models developed after it (agi.clause), not these rights.
    ip = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT).terms["ip.rights"]

    assert (str(ip.expires), ip.ends_when) == ("2030-12-31", None)


def test_point_12_api_exclusivity_and_revenue_share_end_with_2030_only(shipped: Tracker) -> None:
    # What AGI would end is Microsoft's access to models or technology (001, 000, 003; 002 and
    # 004 more broadly): no report ties the API's exclusivity or the revenue share to it.
    terms = shipped.state(AGREEMENT, dt.date(2025, 1, 21), KNOWN_AT).terms

    ends = {key: (str(terms[key].expires), terms[key].ends_when) for key in TIED_TO_2030_ONLY}

    assert ends == {
        "api.exclusivity": ("2030-12-31", None),
        "revenue.share": ("2030-12-31", None),
    }


def test_point_13_reports_002_and_004_derive_from_techcrunch(shipped: Tracker) -> None:
    sources = shipped.sources(AGREEMENT)

    derived = {k: s.source.derived_from for k, s in sources.items() if s.source.derived_from}
    assert derived == {
        CAPTURE: V001,
        COPY: V001,
        V003: V001,
        V000: V001,
        R002: TECHCRUNCH,
        R004: TECHCRUNCH,
    }
    assert (sources[TECHCRUNCH].text, sources[TECHCRUNCH].source.url) == (
        None,
        "https://techcrunch.com/2025/01/21/microsoft-is-no-longer-openais-exclusive-cloud-provider/",
    )
    assert [(c.source, c.relays) for c in fact(shipped, "2025-01-21-azure-commitment").sources] == [
        (BLOG, None),
        (R002, BLOG),
        (R004, BLOG),
    ]


def test_point_14_conflicts_list_single_source_facts_field_by_field(shipped: Tracker) -> None:
    report = conflicts_json(shipped.conflicts(AGREEMENT))

    assert report["single_source_fields"] == [
        {
            "term": "revenue.share",
            "field": "microsoft_share_of_openai_revenue_percent",
            "source": V001,
            "event": "before-2025-01-21-revenue-share-20-percent",
        },
        {
            "term": "cloud.azure_commitment",
            "field": "size",
            "source": BLOG,
            "event": "2025-01-21-azure-commitment",
        },
        {
            "term": "cloud.azure_commitment",
            "field": "covers",
            "source": BLOG,
            "event": "2025-01-21-azure-commitment",
        },
        {
            "term": "cloud.exclusivity",
            "field": "if_declined",
            "source": TECHCRUNCH,
            "event": "2025-01-21-cloud-rofr-if-declined",
        },
        {
            "term": "cloud.own_capacity",
            "field": "approved_by",
            "source": BLOG,
            "event": "2025-01-21-cloud-own-capacity",
        },
        {
            "term": "cloud.own_capacity",
            "field": "approved",
            "source": BLOG,
            "event": "2025-01-21-cloud-own-capacity",
        },
        {
            "term": "cloud.own_capacity",
            "field": "primary_purpose",
            "source": BLOG,
            "event": "2025-01-21-cloud-own-capacity",
        },
    ]
    single = {s["event"]: s["source"] for s in report["single_source"]}
    assert single["2025-01-21-stargate-size"] == TECHCRUNCH
    assert "2025-01-21-stargate-softbank" not in single


def test_point_15_quotes_that_do_not_say_it_are_not_cited(shipped: Tracker) -> None:
    assert cited(shipped, "2025-01-21-agi-clause-waiver-considered", R004) == []
    assert cited(shipped, "2019-07-22-agreement-created", R004) == []


def test_omissions_are_dated_notes_with_quotes_and_certainty(shipped: Tracker) -> None:
    notes = {
        f.id: (str(f.effective), f.certainty, len(f.sources))
        for f in shipped.facts(AGREEMENT)
        if f.type == "note.recorded"
    }

    assert notes == {
        "2024-03-suleyman-hire": ("2024-03", "reported", 5),
        "before-2025-01-21-altman-ouster": ("../2025-01-20", "reported", 3),
        "before-2025-01-21-nyt-strain": ("../2025-01-20", "reported", 5),
        "before-2025-01-21-compute-tensions": ("../2025-01-20", "reported", 4),
        "before-2025-01-21-agi-clause-purpose": ("../2025-01-20", "reported", 3),
        "2025-01-21-api-availability": ("2025-01-21", "confirmed", 3),
        "2025-01-21-stargate-announced": ("2025-01-21", "confirmed", 8),
        "2025-01-21-stargate-softbank": ("2025-01-21", "confirmed", 4),
        "2025-01-21-stargate-size": ("2025-01-21", "reported", 1),
    }


def test_terms_on_or_before_2025_01_20_are_not_possible_before_the_agreement(
    shipped: Tracker,
) -> None:
    # The record's agreement.created is 2019-07-22: no term can be in force before it.
    before = shipped.state(AGREEMENT, dt.date(2019, 7, 21), KNOWN_AT)
    created = shipped.state(AGREEMENT, dt.date(2019, 7, 22), KNOWN_AT)

    assert (before.title, dict(before.possible)) == (None, {})
    assert sorted(created.possible) == [
        "agi.clause",
        "cloud.azure_commitment",
        "ip.rights",
        "revenue.share",
    ]


def test_the_sources_without_a_url_are_the_stored_texts_and_the_decisions_name_them(
    shipped: Tracker,
) -> None:
    # The Verge's address could not be checked when the record was made: it is left out.
    # Since the second fact-check The Verge's original has no stored text either (seed 001
    # is a later capture of it): it is the one source with neither.
    sources = shipped.sources(AGREEMENT)
    # The shipped record's notes moved with the decisions out of the README.
    decisions = (ROOT / "docs" / "decisions.md").read_text(encoding="utf-8")

    without_url = sorted(s.source.id for s in sources.values() if s.source.url is None)

    assert without_url == [R002, R004, V001, CAPTURE, V000, V003]
    assert [s.source.id for s in sources.values() if s.source.url is None and s.text is None] == [
        V001
    ]
    assert [id_ for id_ in without_url if f"`{id_}`" not in decisions] == []
