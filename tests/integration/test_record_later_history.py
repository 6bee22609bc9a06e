"""The later history of the Microsoft–OpenAI record (the amendment files of 2025-09 to 2026-04),
imported with the main file and pinned on the days that matter."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import ROOT
from tracker.cli import cli
from tracker.cli.shapes import diff_json, state_json
from tracker.service import Tracker

AGREEMENT = "microsoft-openai"
KNOWN_AT = dt.datetime(2026, 1, 1)
WAIVER = "2025-01-21-agi-clause-waiver-considered"
MOU = "2025-09-11-mou-signed"


def state_on(record: Tracker, day: str) -> dict:
    state = record.state(AGREEMENT, dt.date.fromisoformat(day), KNOWN_AT)
    return state_json(state, record.sources(AGREEMENT))


def terms_of(state: dict) -> dict:
    return {
        key: {f: term[f] for f in ("value", "since", "expires", "certainty")}
        for key, term in state["terms"].items()
    }


def ended_of(state: dict) -> dict:
    return {
        key: {f: term[f] for f in ("ended", "reason", "certainty")}
        for key, term in state["ended"].items()
    }


def diff_between(record: Tracker, start: str, end: str) -> dict:
    result = record.diff(
        AGREEMENT, dt.date.fromisoformat(start), dt.date.fromisoformat(end), KNOWN_AT
    )
    return diff_json(result)


def changes_of(diff: dict) -> list[tuple[str, str, list[str]]]:
    return [(c["term"], c["change"], c["events"]) for c in diff["changes"]]


TERMS_2025_10_29 = {
    "agi.clause": {
        "value": {
            "trigger": (
                "OpenAI declares AGI and an independent expert panel verifies the declaration"
            ),
            "effect": (
                "ends Microsoft's exclusive IP rights and Azure API exclusivity, its research IP "
                "rights (if before 2030) and the revenue share; Microsoft's IP rights to models "
                "and products (through 2032) now include post-AGI models"
            ),
            "agi_definition": "systems able to generate more than $100 billion in profits",
            "profit_threshold_usd": 100000000000,
        },
        "since": "../2025-01-20",
        "expires": None,
        "certainty": "reported",
    },
    "agi.microsoft_pursuit": {
        "value": {
            "allowed": True,
            "with": "alone or in partnership with third parties",
            "if_using_openai_ip_before_agi": (
                "models subject to compute thresholds significantly larger than the systems used "
                "to train leading models today"
            ),
        },
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "agi.verification": {
        "value": {"declared_by": "OpenAI", "verified_by": "independent expert panel"},
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "api.exclusivity": {
        "value": {
            "exclusive_to": "Microsoft Azure",
            "scope": "OpenAI API products, including API products developed with third parties",
            "non_api_products": "may be served on any cloud provider",
            "exception": "US government national security customers (api.national_security)",
        },
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "api.national_security": {
        "value": {"customers": "US government national security customers", "any_cloud": True},
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.azure_commitment": {
        "value": {
            "size": "large",
            "covers": ["all OpenAI products", "training"],
            "incremental_commitment_usd": 250000000000,
            "incremental_commitment_contracted": "2025-10-28",
        },
        "since": "../2025-01-21",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.own_capacity": {
        "value": {
            "approved_by": "Microsoft",
            "approved": True,
            "primary_purpose": "research and training of models",
        },
        "since": "2025-01-21",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.third_party_capacity": {
        "value": {
            "providers": ["Oracle"],
            "purpose": "extend the Microsoft Azure AI platform to Oracle Cloud Infrastructure",
            "microsoft_approval": True,
            "approved_under": "pressure from shareholders",
        },
        "since": "2024-06-11",
        "expires": None,
        "certainty": "reported",
    },
    "equity.microsoft_stake": {
        "value": {
            "holder": "Microsoft",
            "company": "OpenAI Group PBC",
            "percent": 27,
            "basis": (
                "as-converted diluted, inclusive of all owners (employees, investors, the OpenAI "
                "Foundation)"
            ),
            "value_usd": 135000000000,
            "approximate": True,
        },
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "investment.microsoft": {
        "value": {
            "investor": "Microsoft",
            "amount_usd": 1000000000,
            "purpose": "support OpenAI building artificial general intelligence (AGI)",
            "extension": (
                "a multiyear, multibillion-dollar investment (2023-01-23), amount not disclosed"
            ),
        },
        "since": "2019-07-22",
        "expires": None,
        "certainty": "confirmed",
    },
    "ip.research": {
        "value": {
            "holder": "Microsoft",
            "scope": "confidential methods used in the development of models and systems",
            "includes": "models intended for internal deployment or research only",
            "not_research_ip": [
                "model architecture",
                "model weights",
                "inference code",
                "finetuning code",
                "IP related to data center hardware and software",
            ],
            "non_research_ip_retained_by_microsoft": True,
        },
        "since": "2025-10-28",
        "expires": "2030-12-31",
        "certainty": "confirmed",
    },
    "ip.rights": {
        "value": {
            "holder": "Microsoft",
            "scope": "OpenAI models and products",
            "exclusive": True,
            "exclusive_until": "AGI, verified by the expert panel",
            "includes_post_agi_models": True,
            "safeguards": "appropriate safety guardrails",
            "excludes": ["OpenAI consumer hardware", "research IP (ip.research)"],
        },
        "since": "2025-10-28",
        "expires": "2032-12-31",
        "certainty": "confirmed",
    },
    "models.open_weight": {
        "value": {"allowed": True, "condition": "the models meet requisite capability criteria"},
        "since": "2025-10-28",
        "expires": None,
        "certainty": "reported",
    },
    "revenue.share": {
        "value": {
            "structure": "two-way",
            "microsoft_share_of_openai_revenue_percent": 20,
            "ends_on": "the expert panel verifying AGI",
            "payment_period": "payments made over a longer period of time",
        },
        "since": "../2025-01-20",
        "expires": "2030-12-31",
        "certainty": "reported",
    },
}

ENDED_2025_10_29 = {
    "cloud.exclusivity": {"ended": "2025-10-28", "reason": "terminated", "certainty": "confirmed"},
    "governance.board_observer": {
        "ended": "2024-07-09",
        "reason": "terminated",
        "certainty": "confirmed",
    },
}

TERMS_2026_04_28 = {
    "agi.microsoft_pursuit": {
        "value": {
            "allowed": True,
            "with": "alone or in partnership with third parties",
            "if_using_openai_ip_before_agi": (
                "models subject to compute thresholds significantly larger than the systems used "
                "to train leading models today"
            ),
        },
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "agi.verification": {
        "value": {"declared_by": "OpenAI", "verified_by": "independent expert panel"},
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "api.national_security": {
        "value": {"customers": "US government national security customers", "any_cloud": True},
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.azure_commitment": {
        "value": {
            "size": "large",
            "covers": ["all OpenAI products", "training"],
            "incremental_commitment_usd": 250000000000,
            "incremental_commitment_contracted": "2025-10-28",
        },
        "since": "../2025-01-21",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.exclusivity": {
        "value": {
            "model": "primary_not_exclusive",
            "primary_provider": "Microsoft Azure",
            "ship_first_on": "Microsoft Azure",
            "unless": "Microsoft cannot and chooses not to support the necessary capabilities",
            "other_clouds": (
                "OpenAI may serve all its products to customers across any cloud provider"
            ),
        },
        "since": "2026-04-27",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.own_capacity": {
        "value": {
            "approved_by": "Microsoft",
            "approved": True,
            "primary_purpose": "research and training of models",
        },
        "since": "2025-01-21",
        "expires": None,
        "certainty": "confirmed",
    },
    "cloud.third_party_capacity": {
        "value": {
            "providers": ["Oracle"],
            "purpose": "extend the Microsoft Azure AI platform to Oracle Cloud Infrastructure",
            "microsoft_approval": True,
            "approved_under": "pressure from shareholders",
        },
        "since": "2024-06-11",
        "expires": None,
        "certainty": "reported",
    },
    "equity.microsoft_stake": {
        "value": {
            "holder": "Microsoft",
            "company": "OpenAI Group PBC",
            "percent": 27,
            "basis": (
                "as-converted diluted, inclusive of all owners (employees, investors, the OpenAI "
                "Foundation)"
            ),
            "value_usd": 135000000000,
            "approximate": True,
        },
        "since": "2025-10-28",
        "expires": None,
        "certainty": "confirmed",
    },
    "investment.microsoft": {
        "value": {
            "investor": "Microsoft",
            "amount_usd": 1000000000,
            "purpose": "support OpenAI building artificial general intelligence (AGI)",
            "extension": (
                "a multiyear, multibillion-dollar investment (2023-01-23), amount not disclosed"
            ),
        },
        "since": "2019-07-22",
        "expires": None,
        "certainty": "confirmed",
    },
    "ip.research": {
        "value": {
            "holder": "Microsoft",
            "scope": "confidential methods used in the development of models and systems",
            "includes": "models intended for internal deployment or research only",
            "not_research_ip": [
                "model architecture",
                "model weights",
                "inference code",
                "finetuning code",
                "IP related to data center hardware and software",
            ],
            "non_research_ip_retained_by_microsoft": True,
        },
        "since": "2025-10-28",
        "expires": "2030-12-31",
        "certainty": "confirmed",
    },
    "ip.rights": {
        "value": {
            "holder": "Microsoft",
            "scope": "OpenAI IP for models and products",
            "exclusive": False,
        },
        "since": "2026-04-27",
        "expires": "2032-12-31",
        "certainty": "confirmed",
    },
    "models.open_weight": {
        "value": {"allowed": True, "condition": "the models meet requisite capability criteria"},
        "since": "2025-10-28",
        "expires": None,
        "certainty": "reported",
    },
    "revenue.share": {
        "value": {
            "structure": "one-way",
            "payer": "OpenAI",
            "payee": "Microsoft",
            "percentage": "same as before",
            "total_cap": True,
            "independent_of_technology_progress": True,
            "microsoft_pays_openai": False,
            "microsoft_share_of_openai_revenue_percent": 20,
            "total_cap_usd": 38000000000,
        },
        "since": "2026-04-27",
        "expires": "2030-12-31",
        "certainty": "reported",
    },
}

ENDED_2026_04_28 = {
    "agi.clause": {"ended": "2026-04-27", "reason": "terminated", "certainty": "reported"},
    "api.exclusivity": {"ended": "2026-04-27", "reason": "terminated", "certainty": "reported"},
    "governance.board_observer": {
        "ended": "2024-07-09",
        "reason": "terminated",
        "certainty": "confirmed",
    },
}


def test_terms_in_force_on_2025_10_29_are_the_definitive_agreement_on_the_2025_record(
    record: Tracker,
) -> None:
    state = state_on(record, "2025-10-29")

    assert terms_of(state) == TERMS_2025_10_29
    assert [p["event"] for p in state["pending"]] == [WAIVER]
    assert ended_of(state) == ENDED_2025_10_29


def test_terms_in_force_on_2026_04_28_are_the_amended_agreement(record: Tracker) -> None:
    state = state_on(record, "2026-04-28")

    assert terms_of(state) == TERMS_2026_04_28
    assert state["pending"] == []
    assert ended_of(state) == ENDED_2026_04_28


def test_terms_in_force_on_2026_12_06_are_still_those_of_the_amendment(record: Tracker) -> None:
    state = state_on(record, "2026-12-06")

    assert terms_of(state) == TERMS_2026_04_28
    assert state["pending"] == []
    assert ended_of(state) == ENDED_2026_04_28


def test_the_mou_opens_a_proposal_on_2025_09_11_and_changes_no_term(record: Tracker) -> None:
    diff = diff_between(record, "2025-09-10", "2025-09-11")

    assert changes_of(diff) == []
    assert diff["proposals"] == [
        {"event": MOU, "term": "partnership.next_phase", "change": "opened"}
    ]
    assert diff["affirmed"] == []


def test_the_definitive_agreement_changes_twelve_terms_on_2025_10_28(record: Tracker) -> None:
    diff = diff_between(record, "2025-10-27", "2025-10-28")

    assert changes_of(diff) == [
        ("agi.clause", "changed", ["2025-10-28-agi-clause-reworked"]),
        ("agi.microsoft_pursuit", "added", ["2025-10-28-microsoft-may-pursue-agi"]),
        ("agi.verification", "added", ["2025-10-28-agi-verification-panel"]),
        ("api.exclusivity", "changed", ["2025-10-28-api-exclusive-until-agi"]),
        ("api.national_security", "added", ["2025-10-28-national-security-api"]),
        ("cloud.azure_commitment", "changed", ["2025-10-28-azure-commitment-250b"]),
        ("cloud.exclusivity", "ended", ["2025-10-28-cloud-rofr-ends"]),
        ("equity.microsoft_stake", "added", ["2025-10-28-microsoft-stake"]),
        ("ip.research", "added", ["2025-10-28-research-ip"]),
        ("ip.rights", "changed", ["2025-10-28-ip-rights-through-2032"]),
        ("models.open_weight", "added", ["2025-10-28-open-weight-models"]),
        ("revenue.share", "changed", ["2025-10-28-revenue-share-until-agi"]),
    ]
    assert diff["proposals"] == [
        {"event": MOU, "term": "partnership.next_phase", "change": "adopted"}
    ]
    assert diff["affirmed"] == []


def test_rofr_on_compute_ends_on_2025_10_28(record: Tracker) -> None:
    before = state_on(record, "2025-10-27")
    after = state_on(record, "2025-10-28")

    assert before["terms"]["cloud.exclusivity"]["value"]["model"] == "right_of_first_refusal"
    assert "cloud.exclusivity" not in after["terms"]
    assert ended_of(after)["cloud.exclusivity"] == {
        "ended": "2025-10-28",
        "reason": "terminated",
        "certainty": "confirmed",
    }


def test_ip_rights_through_2030_are_extended_through_2032_on_2025_10_28(record: Tracker) -> None:
    before = state_on(record, "2025-10-27")["terms"]["ip.rights"]
    after = state_on(record, "2025-10-28")["terms"]["ip.rights"]

    assert (before["expires"], after["expires"]) == ("2030-12-31", "2032-12-31")
    assert after["value"]["includes_post_agi_models"] is True


def test_the_february_2026_statement_affirms_five_terms_and_changes_none(
    record: Tracker,
) -> None:
    diff = diff_between(record, "2026-02-26", "2026-02-27")

    assert changes_of(diff) == []
    assert diff["proposals"] == []
    assert diff["affirmed"] == [
        {"term": "ip.rights", "event": "2026-02-27-ip-rights-affirmed"},
        {"term": "revenue.share", "event": "2026-02-27-revenue-share-affirmed"},
        {"term": "api.exclusivity", "event": "2026-02-27-api-exclusivity-affirmed"},
        {"term": "agi.clause", "event": "2026-02-27-agi-clause-affirmed"},
        {"term": "agi.verification", "event": "2026-02-27-agi-verification-affirmed"},
    ]


def test_the_april_2026_amendment_makes_azure_primary_and_the_licence_non_exclusive(
    record: Tracker,
) -> None:
    diff = diff_between(record, "2026-04-26", "2026-04-27")

    assert changes_of(diff) == [
        ("agi.clause", "ended", ["2026-04-27-agi-clause-dropped"]),
        ("api.exclusivity", "ended", ["2026-04-27-api-exclusivity-ends"]),
        ("cloud.exclusivity", "added", ["2026-04-27-cloud-azure-primary"]),
        ("ip.rights", "changed", ["2026-04-27-ip-licence-non-exclusive"]),
        (
            "revenue.share",
            "changed",
            [
                "2026-04-27-revenue-share-capped",
                "2026-04-27-revenue-share-20-percent",
                "2026-04-27-revenue-share-cap-38b",
            ],
        ),
    ]
    assert diff["proposals"] == [{"event": WAIVER, "term": "agi.clause", "change": "adopted"}]
    assert diff["affirmed"] == [
        {"term": "cloud.azure_commitment", "event": "2026-04-27-azure-commitment-stands"},
        {"term": "equity.microsoft_stake", "event": "2026-04-27-microsoft-stake-stands"},
    ]


def test_the_agi_waiver_proposal_is_resolved_as_adopted_on_2026_04_27_as_reported(
    record: Tracker,
) -> None:
    state = record.state(AGREEMENT, dt.date(2026, 4, 27), KNOWN_AT)

    assert WAIVER not in state.pending
    resolved = state.resolved[WAIVER]
    assert (resolved.resolution, resolved.resolved_by) == (
        "adopted",
        "2026-04-27-agi-waiver-adopted",
    )
    assert [p["event"] for p in state_on(record, "2026-04-26")["pending"]] == [WAIVER]


def test_tracker_conflicts_lists_the_april_2026_disagreements(
    record: Tracker, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'later.db'}"
    files = [str(p) for p in sorted((ROOT / "events").glob("*.yaml"))]
    imported = CliRunner().invoke(cli, ["import", *files, "--db", url])
    result = CliRunner().invoke(cli, ["conflicts", "--db", url, "--format", "json"])

    assert imported.exit_code == 0, imported.output
    assert result.exit_code == 0, result.output
    april = [
        (c["event"], c["term"], [q["source"] for q in c["contradicts"]])
        for c in json.loads(result.stdout)["conflicts"]
        if c["event"].startswith("2026-04-27")
    ]
    assert april == [
        (
            "2026-04-27-cloud-azure-primary",
            "cloud.exclusivity",
            ["windowsnews-ai-2026-04-license-update"],
        ),
        (
            "2026-04-27-api-exclusivity-ends",
            "api.exclusivity",
            ["windowsnews-ai-2026-04-azure-first"],
        ),
        ("2026-04-27-agi-clause-dropped", "agi.clause", ["coderfacts-2026-agi-clause"]),
        ("2026-04-27-agi-waiver-adopted", None, ["coderfacts-2026-agi-clause"]),
    ]


def test_disputed_april_2026_facts_carry_the_weaker_certainty(record: Tracker) -> None:
    ended = ended_of(state_on(record, "2026-04-28"))

    assert ended["agi.clause"]["certainty"] == "reported"
    assert ended["api.exclusivity"]["certainty"] == "reported"


def test_tracker_sources_lists_every_source_of_the_amendment_files_with_its_text(
    tmp_path: Path,
) -> None:
    import yaml

    url = f"sqlite:///{tmp_path / 'later.db'}"
    files = [str(p) for p in sorted((ROOT / "events").glob("*.yaml"))]
    declared = {
        s["id"]: "file" in s
        for path in sorted((ROOT / "events").glob("microsoft-openai.*.yaml"))
        for s in yaml.safe_load(path.read_text("utf-8")).get("sources") or []
    }

    imported = CliRunner().invoke(cli, ["import", *files, "--db", url])
    result = CliRunner().invoke(cli, ["sources", "--format", "json", "--db", url])

    listed = {s["id"]: s["stored_text"] for s in json.loads(result.stdout)}
    assert (imported.exit_code, result.exit_code) == (0, 0)
    assert len(declared) == 39
    assert {k: listed[k] for k in declared} == declared
