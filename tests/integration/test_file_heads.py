"""An exported file carries its head; importing it where the stored log disagrees says so."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tests.integration.test_tamper import ORPHANS, drop_triggers, rechain
from tracker.cli import cli
from tracker.core.events import event_from_dict
from tracker.store.log import EventStore


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--db", url])


def test_export_writes_the_head_and_a_reimport_agrees(db_url: str, tmp_path: Path) -> None:
    run(db_url, "import", str(RECORD))
    run(db_url, "export", "--output", str(tmp_path))
    exported = tmp_path / "microsoft-openai.yaml"

    result = run(db_url, "import", str(exported))

    assert "\nhead:\n  version: 29\n  digest: " in exported.read_text("utf-8")
    assert (result.exit_code, result.stderr) == (
        0,
        f"{exported}: 0 events written, 29 already present (version 29)\n",
    )


def test_importing_a_backup_over_a_rewritten_log_says_so(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    run(db_url, "import", str(RECORD))
    run(db_url, "export", "--output", str(tmp_path))
    drop_triggers(store)
    rechain(store, "2025-01-21-cloud-rofr", lambda p: p.replace("first refusal", "veto"))
    before = run(db_url, "verify").stdout

    result = run(db_url, "import", str(tmp_path / "microsoft-openai.yaml"))

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {tmp_path / 'microsoft-openai.yaml'}: its head (version 29) disagrees with "
        "the stored log of 'microsoft-openai': the file or the database holds another history\n"
    )
    assert run(db_url, "verify").stdout == before


def test_a_file_whose_head_is_beyond_a_forged_log_is_refused(
    store: EventStore, db_url: str, tmp_path: Path
) -> None:
    run(db_url, "import", str(RECORD))
    run(db_url, "export", "--output", str(tmp_path))
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM events WHERE version > 27"))
        conn.execute(sa.text(ORPHANS))
    forged = event_from_dict(
        {"type": "note.recorded", "id": "forged", "agreement": "microsoft-openai",
         "effective": "2026-01-01", "note": "Nothing"}
    )  # fmt: skip
    store.append("microsoft-openai", [forged])

    result = run(db_url, "import", str(tmp_path / "microsoft-openai.yaml"))

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {tmp_path / 'microsoft-openai.yaml'}: its head (version 29) disagrees with "
        "the stored log of 'microsoft-openai': the file or the database holds another history\n"
    )
    assert [r.event.id for r in store.read("microsoft-openai")][-1] == "forged"
