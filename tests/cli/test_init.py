"""`tracker init`: a commented starter file that imports as is, and the schema beside it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner, Result

from tracker.cli import cli


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_init_writes_a_starter_file_that_imports(tmp_path: Path, sqlite_url: str) -> None:
    written = run("init", "acme-supply", "--dir", str(tmp_path))
    imported = run("import", str(tmp_path / "acme-supply.yaml"), "--db", sqlite_url)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    state = run("state", "--as-of", today, "--format", "json", "--db", sqlite_url)

    assert written.exit_code == 0
    assert written.stderr == (
        f"wrote {tmp_path / 'acme-supply.yaml'}\nwrote {tmp_path / 'agreement.schema.json'}\n"
    )
    assert imported.stderr.endswith(": 2 events written, 0 already present (version 2)\n")
    assert list(json.loads(state.stdout)["terms"]) == ["price.per_unit"]


def test_the_starter_file_points_editors_at_the_schema(tmp_path: Path) -> None:
    run("init", "acme-supply", "--dir", str(tmp_path))

    first = (tmp_path / "acme-supply.yaml").read_text(encoding="utf-8").splitlines()[0]
    schema = json.loads((tmp_path / "agreement.schema.json").read_text(encoding="utf-8"))

    assert first == "# yaml-language-server: $schema=./agreement.schema.json"
    assert schema["$id"] == "urn:tracker:agreement-file"


def test_init_never_overwrites_a_file(tmp_path: Path) -> None:
    (tmp_path / "acme-supply.yaml").write_text("mine\n", encoding="utf-8")

    result = run("init", "acme-supply", "--dir", str(tmp_path))

    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'acme-supply.yaml'} already exists; choose another name or folder\n"
    )
    assert (tmp_path / "acme-supply.yaml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "agreement.schema.json").exists()


def test_init_refuses_an_id_that_is_not_a_slug(tmp_path: Path) -> None:
    result = run("init", "Acme Supply", "--dir", str(tmp_path))

    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'Acme Supply' is not an agreement id: lower-case letters, digits and dashes, "
        "starting with a letter or digit\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_schema_names_its_dialect_and_id() -> None:
    schema = json.loads(run("schema").stdout)

    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:tracker:agreement-file"


def test_schema_describes_every_field() -> None:
    schema = json.loads(run("schema").stdout)

    undescribed = [
        f"{model}.{field}"
        for model, definition in [("", schema), *schema["$defs"].items()]
        for field, prop in definition.get("properties", {}).items()
        if not prop.get("description")
    ]
    assert undescribed == []
    assert schema["$defs"]["TermEnded"]["properties"]["reason"]["description"] == (
        "Why the term ended: expired, terminated, waived or superseded."
    )
