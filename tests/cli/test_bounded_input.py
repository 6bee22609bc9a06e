"""Input that would hang or exhaust the tracker: devices, FIFOs, endless streams, huge texts,
duplicate keys, huge numbers and deep nesting. Each is one line, exit status 1, nothing written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli

ORIGINAL = RECORD.read_text(encoding="utf-8")
DUPLICATE = """agreement: acme
title: Acme
parties: [{name: A, role: a}]
events:
  - id: acme-created
    type: agreement.created
    effective: 2025-01-01
    effective: 2025-02-01
    title: Acme
    parties: [{name: A, role: a}]
"""


def run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=stdin)


def stored(url: str) -> str:
    return run("agreements", "--format", "json", "--db", url).stdout


def assert_refused(result: Result, message: str, url: str) -> None:
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == f"Error: {message}\n"
    database = Path(url.removeprefix("sqlite:///"))
    assert not database.exists() or stored(url) == "[]\n"


def test_importing_a_device_is_refused_at_once(sqlite_url: str) -> None:
    result = run("import", "/dev/zero", "--db", sqlite_url)

    assert_refused(result, "/dev/zero: is a device, FIFO or socket, not a regular file", sqlite_url)


def test_importing_a_fifo_is_refused_instead_of_hanging(sqlite_url: str, tmp_path: Path) -> None:
    fifo = tmp_path / "agreement.yaml"
    os.mkfifo(fifo)

    result = run("import", str(fifo), "--db", sqlite_url)

    assert_refused(result, f"{fifo}: is a device, FIFO or socket, not a regular file", sqlite_url)


def test_import_reads_standard_input_given_a_dash(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(RECORD.parent)

    result = run("import", "-", "--db", sqlite_url, stdin=ORIGINAL.encode("utf-8"))

    assert result.exit_code == 0, result.output
    assert result.stderr == "-: 29 events written, 0 already present (version 29)\n"


def test_an_endless_standard_input_stops_at_the_limit(sqlite_url: str) -> None:
    result = run("import", "-", "--db", sqlite_url, stdin=b"#" * (17 * 1024 * 1024))

    assert_refused(
        result,
        "<stdin>: more than the 16 MiB limit for an agreement file; "
        "split it by agreement or by period",
        sqlite_url,
    )


def copy_record(folder: Path) -> Path:
    shutil.copytree(RECORD.parent / "sources", folder / "sources")
    path = folder / RECORD.name
    path.write_text(ORIGINAL, encoding="utf-8")
    return path


def test_a_source_text_over_its_limit_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    path = copy_record(tmp_path)
    text = tmp_path / "sources" / "000_a332bb77c450266a.txt"
    text.write_bytes(b"words " * (1536 * 1024))

    result = run("import", str(path), "--db", sqlite_url)

    assert_refused(
        result,
        f"{path}: source 'verge-rewrite-2026-03-19': field file: "
        "'sources/000_a332bb77c450266a.txt': "
        "9.0 MiB is over the 8 MiB limit for a source text",
        sqlite_url,
    )


def test_a_source_text_that_is_a_fifo_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    path = copy_record(tmp_path)
    text = tmp_path / "sources" / "000_a332bb77c450266a.txt"
    text.unlink()
    os.mkfifo(text)

    result = run("import", str(path), "--db", sqlite_url)

    assert_refused(
        result,
        f"{path}: source 'verge-rewrite-2026-03-19': field file: "
        "'sources/000_a332bb77c450266a.txt': "
        "is a device, FIFO or socket, not a regular file",
        sqlite_url,
    )


def test_a_key_given_twice_is_refused_naming_it_and_its_line(
    sqlite_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(DUPLICATE, encoding="utf-8")

    result = run("import", str(path), "--db", sqlite_url)

    assert_refused(
        result, f"{path}: invalid YAML at line 8, column 5: duplicate key 'effective'", sqlite_url
    )


def test_a_5000_digit_number_in_a_file_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_text(DUPLICATE.replace("    effective: 2025-02-01\n", f"    n: {'9' * 5000}\n"))

    result = run("import", str(path), "--db", sqlite_url)

    assert_refused(
        result,
        f"{path}: invalid YAML at line 8, column 8: a number longer than 30 digits",
        sqlite_url,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"n": ' + "9" * 5000 + "}", "--value holds a number with too many digits"),
        ('{"a": ' * 20000 + "1" + "}" * 20000, "--value is nested too deeply"),
        (
            '{"a": ' * 30 + "1" + "}" * 30,
            "field value: values may nest at most 20 deep",
        ),
        (
            '{"n": ' + "9" * 40 + "}",
            "field value: numbers must have at most 30 digits",
        ),
    ],
    ids=["5000 digits", "20000 deep", "30 deep", "40 digits"],
)
def test_oversized_values_on_the_command_line_are_one_line(
    sqlite_url: str, value: str, message: str
) -> None:
    run("import", str(RECORD), "--db", sqlite_url)
    before = run("log", "--format", "json", "--db", sqlite_url).stdout

    result = run(
        "record", "--type", "term.set", "--effective", "2025-06-01", "--term", "a.b",
        "--summary", "s", "--value", value, "--db", sqlite_url,
    )  # fmt: skip

    assert (result.exit_code, result.stderr) == (1, f"Error: {message}\n")
    assert run("log", "--format", "json", "--db", sqlite_url).stdout == before


def test_sources_verify_names_a_fifo_instead_of_hanging(sqlite_url: str, tmp_path: Path) -> None:
    run("import", str(RECORD), "--db", sqlite_url)
    copy_record(tmp_path)
    text = tmp_path / "sources" / "001_da70440169dfad51.txt"
    text.unlink()
    os.mkfifo(text)

    result = run("sources", "verify", "--dir", str(tmp_path), "--db", sqlite_url)

    assert (result.exit_code, result.stdout) == (
        1,
        f"source 'verge-2025-01-21-capture': {text}: is a device, FIFO or socket,"
        " not a regular file\n",
    )
