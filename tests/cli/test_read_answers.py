"""What the read commands answer a newcomer: every documented example runs, every answer says
what the other commands say, and a mistake is told as one."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD, ROOT
from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), prog_name="tracker")


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped 2025 record; its URL."""
    result = run("import", str(RECORD), "--db", sqlite_url)
    assert result.exit_code == 0, result.output
    return sqlite_url


@pytest.fixture
def whole(sqlite_url: str) -> str:
    """A SQLite database holding every file of the shipped record; its URL."""
    files = sorted(str(p) for p in (ROOT / "events").glob("*.yaml"))
    result = run("import", *files, "--db", sqlite_url)
    assert result.exit_code == 0, result.output
    return sqlite_url


def test_point_1_diff_with_only_published_by_twice_runs(loaded: str) -> None:
    example = ["diff", "--as-of", "2025-01-21", "--published-by", "2025-01-21"]

    table = run(*example, "--published-by", "2025-01-22", "--format", "table", "--db", loaded)
    data = run(*example, "--published-by", "2025-01-22", "--format", "json", "--db", loaded)
    swapped = run(*example, "--published-by", "2025-01-20", "--db", loaded)

    assert (table.exit_code, table.stdout) == (
        0,
        "microsoft-openai: 2025-01-21 -> 2025-01-21 -> 2025-01-22\n"
        "\n"
        "Terms\n"
        "  (none)\n"
        "\n"
        "Proposals\n"
        "  (none)\n",
    )
    assert (data.exit_code, json.loads(data.stdout)) == (
        0,
        {
            "agreement": "microsoft-openai",
            "as_of": "2025-01-21",
            "from": "2025-01-21",
            "to": "2025-01-22",
            "changes": [],
            "proposals": [],
            "affirmed": [],
        },
    )
    assert (swapped.exit_code, swapped.stderr.splitlines()[-1]) == (
        2,
        "Error: --published-by 2025-01-21 is after --published-by 2025-01-20; swap them",
    )


def test_point_3_explain_says_possibly_set_where_state_lists_the_term_as_possible(
    loaded: str,
) -> None:
    asked = ["--as-of", "2024-12-01", "--known-at", "2100-01-01", "--db", loaded]

    table = run("explain", "cloud.azure_commitment", *asked, "--format", "table")
    explained = json.loads(run("explain", "cloud.azure_commitment", *asked).stdout)
    state = json.loads(run("state", *asked).stdout)

    assert (table.exit_code, table.stdout) == (
        0,
        "microsoft-openai cloud.azure_commitment as of 2024-12-01, as known at"
        " 2100-01-01T23:59:59.999999Z\n"
        "possibly set ../2025-01-21 by 2025-01-21-azure-commitment (confirmed): OpenAI has made"
        " a new, large\n"
        "Azure commitment for all its products and training\n"
        "\n"
        "../2025-01-21  term.set  2025-01-21-azure-commitment\n"
        "    supports microsoft-blog-2025-01-21\n"
        '    supports unknown-ends-exclusive-cloud: "In a recent blog post, Microsoft stated,'
        " “OpenAI\n"
        "             recently made a new, large Azure commitment that will continue to support"
        " all OpenAI\n"
        '             products as well as training.”"\n'
        '    supports unknown-stargate-adjustment: "Azure remains the dedicated platform for'
        ' OpenAI products"\n',
    )
    assert (explained["state"], explained["ended"]) == (None, None)
    assert explained["possible"] == state["possible"]["cloud.azure_commitment"]
    assert {k: explained["possible"][k] for k in ("event", "date", "change", "certainty")} == {
        "event": "2025-01-21-azure-commitment",
        "date": "../2025-01-21",
        "change": "set",
        "certainty": "confirmed",
    }


def test_point_5_a_term_that_came_and_went_shows_its_summary_start_end_and_reason(
    whole: str,
) -> None:
    window = ["diff", "2023-11-28", "2024-07-09", "--db", whole]

    table = run(*window, "--format", "table")
    data = json.loads(run(*window, "--format", "json").stdout)

    assert (table.exit_code, table.stdout) == (
        0,
        "microsoft-openai: 2023-11-28 -> 2024-07-09\n"
        "\n"
        "Terms\n"
        "  CHANGE         TERM                        EVENTS\n"
        "  changed        cloud.exclusivity           2024-06-11-cloud-exclusivity-oracle"
        "-exception\n"
        "      summary: OpenAI's compute runs exclusively on Microsoft Azure → OpenAI's compute"
        " runs on\n"
        "      Microsoft Azure, extended to Oracle capacity\n"
        "      value.except: (none) → Oracle Cloud Infrastructure, extending the Microsoft Azure"
        " AI platform\n"
        "      value.scope: all of OpenAI's computing needs → OpenAI's computing needs, but for"
        " Oracle\n"
        "      capacity that extends the Azure AI platform\n"
        "      sources: +oracle-2024-06-11\n"
        "  added          cloud.third_party_capacity  2024-06-11-oracle-capacity\n"
        "                                             2024-06-11-oracle-capacity-blessing\n"
        "      OpenAI may use Oracle cloud capacity, with Microsoft's blessing\n"
        "  came_and_went  governance.board_observer   2023-11-29-microsoft-board-observer\n"
        "                                             2024-07-09-microsoft-gives-up-board-observer"
        "-seat\n"
        "      Microsoft has a non-voting observer seat on OpenAI's board (from 2023-11-29;"
        " terminated\n"
        "      2024-07-09)\n"
        "\n"
        "Proposals\n"
        "  (none)\n",
    )
    assert data["changes"][-1] == {
        "term": "governance.board_observer",
        "change": "came_and_went",
        "before": None,
        "after": None,
        "fields": [],
        "events": [
            "2023-11-29-microsoft-board-observer",
            "2024-07-09-microsoft-gives-up-board-observer-seat",
        ],
        "summary": "Microsoft has a non-voting observer seat on OpenAI's board",
        "since": "2023-11-29",
        "ended": "2024-07-09",
        "reason": "terminated",
    }


TERMS = (
    "agi.clause, api.exclusivity, cloud.azure_commitment, cloud.exclusivity, cloud.own_capacity,"
    " cloud.third_party_capacity, ip.rights, revenue.share"
)


def test_point_7_a_misspelt_term_is_an_error_naming_the_close_one_and_the_valid_ones(
    loaded: str,
) -> None:
    terms = run("terms", "cloud.exclusivty", "--format", "json", "--db", loaded)
    log = run("log", "--term", "cloud.exclusivty", "--format", "table", "--db", loaded)
    log_json = run("log", "--term", "cloud.exclusivty", "--format", "json", "--db", loaded)
    explain = run("explain", "cloud.exclusivty", "--db", loaded)

    hint = f"(did you mean 'cloud.exclusivity'? terms: {TERMS})\n"
    assert (terms.exit_code, terms.stdout, terms.stderr) == (
        1,
        "",
        f"Error: no term 'cloud.exclusivty' in any agreement {hint}",
    )
    for result in (log, log_json, explain):
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            f"Error: no term 'cloud.exclusivty' in 'microsoft-openai' {hint}",
        )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["2025/01/20", "2025-01-21"], "Invalid value for 'FROM': '2025/01/20' is not a date"),
        (["2025-01-20", "2025/01/21"], "Invalid value for 'TO': '2025/01/21' is not a date"),
        (
            ["microsoft-openai", "2025/01/20", "2025-01-21"],
            "Invalid value for 'FROM': '2025/01/20' is not a date",
        ),
    ],
)
def test_point_8_diff_says_a_mistyped_date_is_not_a_date(
    loaded: str, args: list[str], error: str
) -> None:
    result = run("diff", *args, "--db", loaded)

    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Usage: tracker diff [OPTIONS] [AGREEMENT] [FROM TO]\n"
        "Try 'tracker diff --help' for help.\n"
        "\n"
        f"Error: {error}: use YYYY-MM-DD, YYYY-MM (its last day), YYYY (its last day), today "
        "or yesterday\n",
    )
