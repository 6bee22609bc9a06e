"""Tables for people: fitted to the terminal, nothing cut, colour on request, text made safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.see import agreement_file, column_text, golden, run, steady, term_set, widest
from tests.conftest import RECORD
from tracker.core.text import visible

SUMMARIES = [
    "Microsoft's access to post-AGI models can end; AGI = over $100B in profits",
    "The OpenAI API is exclusive to Azure, through 2030",
    "OpenAI has made a new, large Azure commitment for all its products and training",
    "Microsoft has a right of first refusal (ROFR) on OpenAI's new capacity",
    "Microsoft approves OpenAI building more capacity, mainly for research and training",
    "OpenAI may use Oracle cloud capacity, with Microsoft's blessing",
    "Microsoft has rights to OpenAI technology for products like Copilot, through 2030",
    "Two-way revenue share, through 2030 (Microsoft reportedly gets 20%)",
    "OpenAI reportedly considering dropping the AGI clause to get more Microsoft funding",
]


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped record; its URL."""
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    return sqlite_url


def state_table(db: str, width: int, *more: str) -> str:
    args = ["state", "--as-of", "2025-01-21", "--format", "table", "--db", db]
    result = run(*args, *more, width=width)
    assert result.exit_code == 0, result.output
    return steady(result.stdout)


@pytest.mark.parametrize("width", [60, 100, 160])
def test_state_table_fits_the_width_and_keeps_every_summary(loaded: str, width: int) -> None:
    output = state_table(loaded, width)

    assert output == golden(f"state-{width}.txt", output)
    assert widest(output) <= width
    shown = column_text(output, "SUMMARY")
    assert all("".join(s.split()) in shown for s in SUMMARIES)


def test_wide_tables_never_wrap(loaded: str) -> None:
    output = state_table(loaded, 60, "--wide")

    assert all(f"  {s}" in output for s in SUMMARIES)
    assert widest(output) > 60


def test_colour_only_when_wanted_and_never_with_no_color(loaded: str) -> None:
    args = ["state", "--as-of", "2025-01-21", "--format", "table", "--db", loaded]

    coloured = run(*args, color=True, FORCE_COLOR="1").stdout
    plain = run(*args, color=True, FORCE_COLOR="1", NO_COLOR="1").stdout
    piped = run(*args, color=True).stdout

    assert "\x1b[32mconfirmed\x1b[0m" in coloured
    assert "\x1b[" not in plain and "\x1b[" not in piped
    assert steady(plain) == steady(piped)


def test_wide_characters_are_counted_twice_and_columns_line_up(
    tmp_path: Path, sqlite_url: str
) -> None:
    summary = "クラウドの独占契約は二〇三〇年まで続き、その後は両社の合意により延長できる"
    proposed = {"type": "term.proposed", "effective": "2021-02-01", "term": "cloud.exclusive"}
    path = agreement_file(
        tmp_path,
        "cjk",
        [
            term_set("設定-一", "cloud.exclusive", "2021-01-01", summary),
            {**proposed, "id": "提案-二", "summary": "延長"},
            {**proposed, "id": "plain-three", "summary": "Extension"},
        ],
    )
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0

    wrapped = run("state", "--format", "table", "--db", sqlite_url, width=60).stdout
    state = run("state", "--format", "table", "--db", sqlite_url, width=160).stdout

    assert widest(wrapped) <= 60
    assert "".join(summary.split()) in column_text(wrapped, "SUMMARY")
    assert "  cloud.exclusive  2021-02-01  confirmed  提案-二      延長\n" in state
    assert "  cloud.exclusive  2021-02-01  confirmed  plain-three  Extension\n" in state


HOSTILE = "Fine\x1b[2J\x1b]0;owned\x07 print\u202edesrever\u200b\nEVIL  2099-01-01  forged row"


def test_control_characters_never_reach_the_terminal(tmp_path: Path, sqlite_url: str) -> None:
    path = agreement_file(
        tmp_path, "hostile", [term_set("h-1", "bad.term", "2021-01-01", HOSTILE)], title="T\x1bx"
    )
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0

    outputs = [
        run(*args, "--format", "table", "--db", sqlite_url, width=200).stdout
        for args in (
            ["state"],
            ["log"],
            ["explain", "bad.term"],
            ["diff", "2020-12-31", "2021-01-01"],
        )
    ]

    for output in outputs:
        assert not any(c in output for c in "\x1b\x07\u202e\u200b"), output
        assert not any(line.startswith("EVIL") for line in output.splitlines())
    assert "Fine\\x1b[2J\\x1b]0;owned\\x07 print\\u202edesrever\\u200b\\nEVIL" in outputs[0]
    assert outputs[0].startswith("hostile: T\\x1bx\n")


def test_visible_escapes_what_would_steer_a_terminal_and_keeps_the_rest() -> None:
    assert visible("a\tb\r\n\x00\x7f\x85\u2028\u2066\U000e0001") == (
        "a\\tb\\r\\n\\x00\\x7f\\x85\\u2028\\u2066\\U000e0001"
    )
    assert visible("Ünïcødé 日本語\u00a0\u3000 ok") == "Ünïcødé 日本語\u00a0\u3000 ok"


QUOTE = (
    "Microsoft has reaffirmed its commitment to OpenAI by approving plans for further capacity "
    "expansion, primarily targeting research and training of advanced AI models."
)


@pytest.mark.parametrize("width", [60, 100, 160])
def test_explain_and_conflicts_keep_every_quote_whole(loaded: str, width: int) -> None:
    explain = ["explain", "cloud.own_capacity", "--as-of", "2025-01-21", "--format", "table"]
    explained = steady(run(*explain, "--db", loaded, width=width).stdout)
    conflicts = run("conflicts", "--format", "table", "--db", loaded, width=width).stdout

    assert explained == golden(f"explain-{width}.txt", explained)
    assert conflicts == golden(f"conflicts-{width}.txt", conflicts)
    assert widest(explained) <= width and widest(conflicts) <= width
    assert "".join(QUOTE.split()) in "".join(explained.split())


NARROW = [
    ["state", "--as-of", "2025-01-21"],
    ["diff", "2025-01-20", "2025-01-21"],
    ["log"],
    ["log", "--term", "cloud.exclusivity"],
    ["timeline"],
    ["explain", "cloud.exclusivity"],
    ["conflicts"],
    ["sources"],
    ["agreements"],
    ["upcoming", "--as-of", "2030-10-15"],
]


@pytest.mark.parametrize("width", [30, 40])
@pytest.mark.parametrize("args", NARROW, ids=lambda a: "-".join(a[:2]))
def test_very_narrow_terminals_get_every_line_within_the_width(
    loaded: str, width: int, args: list[str]
) -> None:
    result = run(*args, "--format", "table", "--db", loaded, width=width)

    assert result.exit_code == 0, result.output
    assert widest(result.stdout) <= width


def test_too_narrow_for_columns_each_row_becomes_a_record(loaded: str) -> None:
    output = state_table(loaded, 40)

    assert (
        "  TERM      agi.clause\n"
        "  SINCE     ../2025-01-20\n"
        "  EXPIRES   -\n"
        "  CERTAINTY reported\n"
        "  INDEP     2\n"
        "  SUMMARY   Microsoft's access to\n"
        "            post-AGI models can end; AGI\n"
        "            = over $100B in profits\n"
    ) in output
    assert all("".join(s.split()) in "".join(output.split()) for s in SUMMARIES)
