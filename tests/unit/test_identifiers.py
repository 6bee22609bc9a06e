"""Event ids that print alike are refused, and one spelling is kept (NFC)."""

from __future__ import annotations

import json
import unicodedata

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.core.events import event_from_dict
from tracker.core.wording import describe


def note(id_: str) -> object:
    return event_from_dict(
        {"type": "note.recorded", "id": id_, "agreement": "acme", "effective": "2025-01-01",
         "note": "n"}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("id_", "message"),
    [
        ("pay\u200b", "identifiers cannot hold U+200B (zero width space)"),
        ("\u0440ay", "identifiers cannot mix look-alike scripts (cyrillic, latin)"),
        ("pay\u202e", "identifiers cannot hold U+202E (right-to-left override)"),
        ("pay\x1b]0;owned\x07", "identifiers cannot hold U+001B (a control character)"),
        ("pay\x9b2J", "identifiers cannot hold U+009B (a control character)"),
        ("pay\ufeff", "identifiers cannot hold U+FEFF (zero width no-break space)"),
    ],
    ids=["zero-width", "cyrillic", "bidi override", "escape", "C1", "BOM"],
)
def test_look_alike_and_invisible_ids_are_refused(id_: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        note(id_)

    assert describe(raised.value) == f"field id: {message}"


def test_an_id_written_in_nfd_is_kept_in_nfc() -> None:
    event = note(unicodedata.normalize("NFD", "café-1"))

    assert event.id == "café-1"  # type: ignore[attr-defined]


def test_ids_of_one_script_are_accepted() -> None:
    assert [note(i).id for i in ("日本語-1", "ελληνικά-1")] == ["日本語-1", "ελληνικά-1"]  # type: ignore[attr-defined]


def test_retracting_with_a_look_alike_id_is_refused_and_writes_nothing(sqlite_url: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["import", str(RECORD), "--db", sqlite_url])

    result = runner.invoke(
        cli,
        ["retract", "2024-06-11-oracle-capacity", "--reason", "r", "--id", "x\u200b",
         "--db", sqlite_url],
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (
        1,
        "Error: field id: identifiers cannot hold U+200B (zero width space)\n",
    )
    log = runner.invoke(cli, ["log", "--format", "json", "--db", sqlite_url]).stdout
    assert len(json.loads(log)) == 29
