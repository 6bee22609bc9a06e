"""What the read commands answer a newcomer: every documented example runs, every answer says
what the other commands say, and a mistake is told as one."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD, ROOT
from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


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
