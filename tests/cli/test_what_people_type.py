"""What a person types by hand, answered as they would expect: a database by its path, a
folder to import, a misspelled agreement or term, an unquoted comma, a month of publication,
an export folder that already holds files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_point_9_db_accepts_a_path_to_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    written = run("import", str(RECORD), "--db", "mine.db")

    result = run("agreements", "--format", "json", "--db", str(tmp_path / "mine.db"))

    assert written.exit_code == 0, written.output
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "[\n"
        "  {\n"
        '    "agreement": "microsoft-openai",\n'
        '    "title": "Microsoft–OpenAI partnership",\n'
        '    "version": 29,\n'
        '    "default": false\n'
        "  }\n"
        "]\n"
    )
    assert run("db", "path", "--db", "mine.db").stdout == f"{tmp_path / 'mine.db'}\n"
