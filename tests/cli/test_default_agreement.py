"""A default agreement: set once (or by TRACKER_AGREEMENT), used when AGREEMENT is omitted,
shown by `tracker agreements`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def two(sqlite_url: str) -> str:
    """A database holding the shipped record and a second agreement, `acme`."""
    imported = run("import", str(RECORD), "--db", sqlite_url)
    created = run(
        "agreement", "create", "acme", "--title", "Acme deal", "--party", "Acme=supplier",
        "--effective", "2025-01-01", "--db", sqlite_url,
    )  # fmt: skip
    assert imported.exit_code == created.exit_code == 0
    return sqlite_url


def test_a_default_agreement_makes_agreement_optional(two: str, tmp_path: Path) -> None:
    config = tmp_path / "xdg-data" / "tracker" / "config.toml"

    set_ = run("agreement", "default", "microsoft-openai", "--db", two)
    state = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", two)
    shown = run("agreement", "default")

    assert set_.exit_code == 0
    assert set_.stderr == f"default agreement: microsoft-openai (in {config})\n"
    assert json.loads(state.stdout)["agreement"] == "microsoft-openai"
    assert shown.stdout == f"microsoft-openai (from {config})\n"


def test_agreements_marks_the_default(two: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACKER_AGREEMENT", "acme")

    result = run("agreements", "--format", "json", "--db", two)

    assert [(r["agreement"], r["default"]) for r in json.loads(result.stdout)] == [
        ("acme", True),
        ("microsoft-openai", False),
    ]


def test_a_default_not_in_the_database_is_named_in_the_error(
    two: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRACKER_AGREEMENT", "gone")

    result = run("state", "--db", two)

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: name the agreement (acme, microsoft-openai); the default 'gone' "
        "(from TRACKER_AGREEMENT) is not in this database\n"
    )


def test_setting_an_unknown_default_is_refused_and_writes_nothing(two: str, tmp_path: Path) -> None:
    result = run("agreement", "default", "nope", "--db", two)

    assert result.exit_code == 1
    assert result.stderr == "Error: no agreement 'nope' (agreements: acme, microsoft-openai)\n"
    assert not (tmp_path / "xdg-data" / "tracker" / "config.toml").exists()


def test_clearing_the_default(two: str) -> None:
    run("agreement", "default", "acme", "--db", two)

    cleared = run("agreement", "default", "--clear", "--db", two)

    assert cleared.exit_code == 0
    assert run("agreement", "default").stdout == "no default agreement\n"
