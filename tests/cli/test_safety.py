"""Using the tracker by hand loses nothing: downgrades ask, typos create no database, the
`.db` file alone is a whole copy, read-only databases can be read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.store import engines


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def loaded(tmp_path: Path) -> Path:
    """A SQLite file holding the shipped record."""
    path = tmp_path / "tracker.db"
    result = run("import", str(RECORD), "--db", f"sqlite:///{path}")
    assert result.exit_code == 0, result.output
    return path


def test_downgrade_without_yes_off_a_terminal_refuses_and_drops_nothing(loaded: Path) -> None:
    result = run("db", "downgrade", "--db", f"sqlite:///{loaded}")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: downgrading {loaded} to base deletes every agreement, event and source; "
        "pass --yes to do it\n"
    )
    assert run("db", "current", "--db", f"sqlite:///{loaded}").stdout == "0012\n"


def test_downgrade_with_yes_drops_the_schema(loaded: Path) -> None:
    result = run("db", "downgrade", "--yes", "--db", f"sqlite:///{loaded}")

    assert result.exit_code == 0
    assert run("db", "current", "--db", f"sqlite:///{loaded}").stdout == "base\n"


def test_a_read_command_on_a_mistyped_path_creates_nothing(tmp_path: Path) -> None:
    typo = tmp_path / "no" / "such" / "typo.db"

    result = run("state", "--db", f"sqlite:///{typo}")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no database at '{typo}'; check the path (`tracker import` or "
        "`tracker db upgrade` creates a new database)\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_write_into_a_missing_folder_names_the_folder(tmp_path: Path) -> None:
    typo = tmp_path / "no" / "typo.db"

    result = run("import", str(RECORD), "--db", f"sqlite:///{typo}")

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: no folder '{typo.parent}' for the database 'typo.db'; check the path, "
        "or create the folder first\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_failed_import_on_a_new_path_leaves_no_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agreement: x\n", encoding="utf-8")
    new = tmp_path / "new.db"

    result = run("import", str(bad), "--db", f"sqlite:///{new}")

    assert result.exit_code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml"]


def test_copying_only_the_db_file_after_a_command_keeps_every_agreement(
    loaded: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy" / "tracker.db"
    copy.parent.mkdir()

    shutil.copy(loaded, copy)
    result = run("agreements", "--format", "json", "--db", f"sqlite:///{copy}")

    assert sorted(p.name for p in loaded.parent.iterdir() if p.name.startswith("tracker")) == [
        "tracker.db"
    ]
    assert result.exit_code == 0
    assert '"agreement": "microsoft-openai"' in result.stdout


def test_db_backup_copies_the_database_whole(loaded: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"

    result = run("db", "backup", str(target), "--db", f"sqlite:///{loaded}")
    listed = run("agreements", "--format", "json", "--db", f"sqlite:///{target}")

    assert result.exit_code == 0
    assert result.stderr == f"backed up {loaded} to {target}\n"
    assert '"version": 29' in listed.stdout


def test_db_backup_never_overwrites_a_file(loaded: Path, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("precious", encoding="utf-8")

    result = run("db", "backup", str(target), "--db", f"sqlite:///{loaded}")

    assert result.exit_code == 1
    assert result.stderr == f"Error: '{target}' already exists; name a new file\n"
    assert target.read_text(encoding="utf-8") == "precious"


def test_db_backup_of_postgresql_points_to_pg_dump() -> None:
    result = run("db", "backup", "x.db", "--db", "postgresql://u:secret@localhost/x")

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: tracker db backup copies SQLite databases; for PostgreSQL use pg_dump "
        "(pg_dump --format=custom --file=BACKUP 'postgresql://u:***@localhost/x')\n"
    )


def test_db_path_shows_the_default_database(tmp_path: Path) -> None:
    result = run("db", "path")

    assert result.exit_code == 0
    assert result.stdout == f"{tmp_path / 'xdg-data' / 'tracker' / 'tracker.db'}\n"
    assert not (tmp_path / "xdg-data").exists()


def test_a_read_only_database_is_read_and_refuses_writes(
    loaded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines.os, "access", lambda path, mode: mode != os.W_OK)
    url = f"sqlite:///{loaded}"

    state = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", url)
    record = run(
        "record", "--type", "note.recorded", "--effective", "2026-01-01", "--note", "n",
        "--db", url,
    )  # fmt: skip

    assert state.exit_code == 0
    assert record.exit_code == 1
    assert record.stderr == "Error: the database is read-only: it can be read, not written\n"
    assert run("agreements", "--format", "json", "--db", url).stdout.count('"version": 29') == 1


def _driver_warning_after_a_command(loaded: Path, *, drop_handlers: bool) -> str:
    """stderr of a process that runs a command, then logs the warning psycopg logs when it
    cannot end a pipeline on a lost connection (in its own process: pytest's log capture
    would hide what reaches stderr); `drop_handlers` undoes what the command set up."""
    drop = "driver.handlers.clear(); " if drop_handlers else ""
    code = (
        "import logging, sys; from tracker.cli import cli; "
        "cli.main(sys.argv[1:], standalone_mode=False); "
        f"driver = logging.getLogger('psycopg'); {drop}"
        "driver.warning('error ignored terminating <psycopg.Pipeline>')"
    )
    args = ["agreements", "--format", "json", "--db", f"sqlite:///{loaded}"]

    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0
    return result.stderr


def test_driver_cleanup_warnings_never_reach_stderr(loaded: Path) -> None:
    assert _driver_warning_after_a_command(loaded, drop_handlers=False) == ""


def test_without_its_handler_the_driver_warning_would_reach_stderr(loaded: Path) -> None:
    # The control: the test above can fail, and does when the command sets up no handler.
    stderr = _driver_warning_after_a_command(loaded, drop_handlers=True)

    assert stderr == "error ignored terminating <psycopg.Pipeline>\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["diff", "microsoft-openai", "2025-01-20"],
            "Error: diff takes [AGREEMENT] FROM TO: two dates, got '2025-01-20'\n",
        ),
        (
            ["diff", "2025-01-21", "2025-01-20"],
            "Error: FROM 2025-01-21 is after TO 2025-01-20; swap them\n",
        ),
        (
            ["log", "--from", "2025-01-21", "--to", "2025-01-20"],
            "Error: --from 2025-01-21 is after --to 2025-01-20; swap them\n",
        ),
        (
            ["sources", "verify", "--dir", "/nonexistent"],
            "Error: Invalid value for '--dir': Directory '/nonexistent' does not exist.\n",
        ),
    ],
)
def test_misleading_usage_is_named_for_what_it_is(
    loaded: Path, args: list[str], message: str
) -> None:
    result = run(*args, "--db", f"sqlite:///{loaded}")

    assert result.exit_code == 2
    assert result.stderr.endswith(message)


def test_format_is_case_insensitive(loaded: Path) -> None:
    result = run("agreements", "--format", "JSON", "--db", f"sqlite:///{loaded}")

    assert result.exit_code == 0
    assert result.stdout.startswith("[\n")


def test_notices_carry_no_prefix_and_errors_say_error(loaded: Path) -> None:
    verified = run("verify", "--db", f"sqlite:///{loaded}")

    assert verified.stderr == "29 events and 14 sources checked; hash chains intact\n"


def test_a_mistyped_command_gets_a_suggestion(loaded: Path) -> None:
    result = run("stat", "--db", f"sqlite:///{loaded}")

    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such command 'stat'. Did you mean 'state'?\n")


def test_resolving_an_event_that_is_no_proposal_says_what_it_is(loaded: Path) -> None:
    result = run(
        "record", "--type", "proposal.resolved", "--proposal", "2019-07-22-agreement-created",
        "--resolution", "rejected", "--effective", "2025-02-01", "--db", f"sqlite:///{loaded}",
    )  # fmt: skip

    assert result.exit_code == 1
    assert result.stderr.endswith(
        ": '2019-07-22-agreement-created' is not a proposal: its type is agreement.created, "
        "not term.proposed\n"
    )
