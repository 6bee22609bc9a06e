"""`tracker diff` tables show each changed field as old → new; the JSON keeps its shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.see import agreement_file, golden, run, term_set, widest
from tests.conftest import GOLDEN, RECORD

PAD = " " * 66


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped record; its URL."""
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    return sqlite_url


@pytest.mark.parametrize("width", [60, 100, 160])
def test_diff_table_shows_old_and_new_values_at_every_width(loaded: str, width: int) -> None:
    result = run(
        "diff", "2025-01-20", "2025-01-21", "--format", "table", "--db", loaded, width=width
    )

    assert result.exit_code == 0
    assert result.stdout == golden(f"diff-{width}.txt", result.stdout)
    assert widest(result.stdout) <= width


def test_diff_table_at_100_columns_in_full(loaded: str) -> None:
    result = run("diff", "2030-12-31", "2031-01-01", "--format", "table", "--db", loaded)

    assert result.stdout == (
        "microsoft-openai: 2030-12-31 -> 2031-01-01\n"
        "\n"
        "Terms\n"
        "  CHANGE  TERM             EVENTS\n"
        "  ended   api.exclusivity  2025-01-21-api-exclusive-through-2030\n"
        "      The OpenAI API is exclusive to Azure, through 2030 (expired 2031-01-01)\n"
        "  ended   ip.rights        2025-01-21-ip-rights-through-2030\n"
        "                           before-2025-01-21-ip-rights-exclusive\n"
        "      Microsoft has rights to OpenAI technology for products like Copilot, through 2030"
        " (expired\n"
        "      2031-01-01)\n"
        "  ended   revenue.share    2025-01-21-revenue-share-through-2030\n"
        "                           before-2025-01-21-revenue-share-20-percent\n"
        "      Two-way revenue share, through 2030 (Microsoft reportedly gets 20%) (expired"
        " 2031-01-01)\n"
        "\n"
        "Proposals\n"
        "  (none)\n"
    )


def test_a_price_change_shows_both_prices(tmp_path: Path, sqlite_url: str) -> None:
    path = agreement_file(
        tmp_path,
        "acme-supply",
        [
            term_set("p1", "price.unit", "2024-01-01", "Unit price", value={"usd": 2.75}),
            term_set("p2", "price.unit", "2024-07-01", "Unit price", value={"usd": 2.9}),
        ],
    )
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0

    result = run("diff", "2024-06-30", "2024-07-01", "--format", "table", "--db", sqlite_url)

    assert result.stdout == (
        "acme-supply: 2024-06-30 -> 2024-07-01\n"
        "\n"
        "Terms\n"
        "  CHANGE   TERM        EVENTS  WHAT\n"
        "  changed  price.unit  p2      since: 2024-01-01 → 2024-07-01\n"
        "                               value.usd: 2.75 → 2.9\n"
        "\n"
        "Proposals\n"
        "  (none)\n"
    )


def test_diff_colours_old_red_and_new_green_on_a_terminal(loaded: str) -> None:
    args = ["diff", "2025-01-20", "2025-01-21", "--format", "table", "--db", loaded]

    result = run(*args, color=True, FORCE_COLOR="1")

    assert "value.model: \x1b[31mexclusive\x1b[0m → \x1b[32mright_of_first_refusal\x1b[0m" in (
        result.stdout
    )


def test_diff_json_keeps_its_shape(loaded: str) -> None:
    result = run("diff", "2025-01-20", "2025-01-21", "--format", "json", "--db", loaded)

    expected = json.loads((GOLDEN / "diff-2025-01-20-2025-01-21.json").read_text("utf-8"))
    assert json.loads(result.stdout) == expected
