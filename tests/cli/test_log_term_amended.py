"""`tracker log --term KEY` shows what a term.amended changed, field by field, in its table
(- and + lines) and in JSON (`changed`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.see import agreement_file, run, steady, term_set


@pytest.fixture
def amended(tmp_path: Path, sqlite_url: str) -> str:
    """A price set in 2024 with a discount, then amended: raised, discount dropped, indexed."""
    amendment = {
        "id": "raise",
        "type": "term.amended",
        "effective": "2024-07-01",
        "certainty": "reported",
        "term": "price.unit",
        "summary": "Unit price, raised",
        "changes": {"usd": 2.95, "discount_pct": None, "indexed": True},
    }
    path = agreement_file(
        tmp_path,
        "acme-supply",
        [
            term_set("set", "price.unit", "2024-01-01", "Unit price",
                     value={"usd": 2.75, "discount_pct": 5}),
            amendment,
        ],
    )  # fmt: skip
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0
    return sqlite_url


def test_the_term_log_table_shows_the_fields_an_amendment_changed(amended: str) -> None:
    result = run("log", "--term", "price.unit", "--from", "2024-06-01", "--format", "table",
                 "--db", amended)  # fmt: skip

    assert result.exit_code == 0
    assert steady(result.stdout) == (
        "event raise (term.amended, version 3)\n"
        "Effective: 2024-07-01\n"
        "Certainty: reported\n"
        "Recorded:  <now>\n"
        "\n"
        "- summary: Unit price\n"
        "+ summary: Unit price, raised\n"
        "- value.discount_pct: 5\n"
        "- value.usd: 2.75\n"
        "+ value.usd: 2.95\n"
        "+ value.indexed: true\n"
    )


def test_the_term_log_json_lists_each_changed_field_with_old_and_new(amended: str) -> None:
    result = run("log", "--term", "price.unit", "--format", "json", "--db", amended)

    events = json.loads(result.stdout)

    assert [(e["id"], e["changed"]) for e in events] == [
        (
            "set",
            [
                {"field": "summary", "old": None, "new": "Unit price"},
                {"field": "since", "old": None, "new": "2024-01-01"},
                {"field": "certainty", "old": None, "new": "confirmed"},
                {"field": "value.discount_pct", "old": None, "new": 5},
                {"field": "value.usd", "old": None, "new": 2.75},
            ],
        ),
        (
            "raise",
            [
                {"field": "summary", "old": "Unit price", "new": "Unit price, raised"},
                {"field": "value.discount_pct", "old": 5, "new": None},
                {"field": "value.usd", "old": 2.75, "new": 2.95},
                {"field": "value.indexed", "old": None, "new": True},
            ],
        ),
    ]
    assert events[1]["changes"] == {"usd": 2.95, "discount_pct": None, "indexed": True}
