"""The user's data is theirs alone: under the usual umask (022) the default data folder is
created 0700, and new databases, their -wal and -shm files, and backups 0600; a folder or file
the user chose that already exists keeps its mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.store.engines import create_engine, dispose, ensure_schema


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_the_default_data_folder_is_0700_and_the_database_0600(tmp_path: Path) -> None:
    folder = tmp_path / "xdg-data" / "tracker"  # XDG_DATA_HOME, as conftest sets it

    result = run("state", "--as-of", "2025-01-21", "--format", "json")

    assert result.exit_code == 0, result.output
    assert (mode(folder), mode(folder / "tracker.db")) == ("0o700", "0o600")


def test_a_new_database_and_its_wal_and_shm_files_are_0600(tmp_path: Path) -> None:
    path = tmp_path / "chosen.db"
    engine = create_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    with engine.connect():  # held open: the -wal and -shm files are there
        files = sorted(p.name for p in tmp_path.iterdir())
        modes = [mode(tmp_path / name) for name in files]
    dispose(engine)

    assert files == ["chosen.db", "chosen.db-shm", "chosen.db-wal"]
    assert modes == ["0o600", "0o600", "0o600"]


def test_a_backup_is_0600(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    assert run("import", str(RECORD), "--db", url).exit_code == 0

    result = run("db", "backup", str(tmp_path / "copy.db"), "--db", url)

    assert result.exit_code == 0, result.output
    assert mode(tmp_path / "copy.db") == "0o600"


def test_a_folder_and_database_the_user_chose_keep_their_modes(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    url = f"sqlite:///{folder / 'a.db'}"
    assert run("import", str(RECORD), "--db", url).exit_code == 0
    (folder / "a.db").chmod(0o644)

    result = run("state", "--as-of", "2025-01-21", "--format", "json", "--db", url)

    assert result.exit_code == 0, result.output
    assert (mode(folder), mode(folder / "a.db")) == ("0o755", "0o644")
