"""`tracker report` from the command line: one self-contained file, or a one-line error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.see import agreement_file, run, term_set
from tests.conftest import RECORD


@pytest.fixture
def loaded(sqlite_url: str) -> str:
    """A SQLite database holding the shipped record; its URL."""
    assert run("import", str(RECORD), "--db", sqlite_url).exit_code == 0
    return sqlite_url


def test_report_is_one_file_that_loads_nothing_from_elsewhere(loaded: str, tmp_path: Path) -> None:
    path = tmp_path / "mo.html"

    result = run("report", "--output", str(path), "--db", loaded)

    page = path.read_text(encoding="utf-8")
    assert (result.exit_code, result.stderr) == (0, f"wrote {path}\n")
    assert page.startswith("<!DOCTYPE html>")
    assert re.findall(r"""\b(?:src|href)=["']?(?!#)[^"' >]+""", page) == [
        'href="https://blogs.microsoft.com/blog/2023/01/23/microsoftandopenaiextendpartnership/',
        'href="https://blogs.microsoft.com/blog/2025/01/21/microsoft-and-openai-evolve-'
        "partnership-to-drive-the-next-phase-of-ai/",
        'href="https://news.microsoft.com/2019/07/22/openai-forms-exclusive-computing-'
        "partnership-with-microsoft-to-build-new-azure-ai-supercomputing-technologies/",
        'href="https://www.oracle.com/news/announcement/openai-selects-oracle-cloud-'
        "infrastructure-to-extend-microsoft-azure-ai-platform-2024-06-11/",
        'href="https://group.softbank/en/news/press/20250122',
        'href="https://techcrunch.com/2025/01/21/microsoft-is-no-longer-openais-exclusive-cloud-'
        "provider/",
        'href="https://www.wilsonsmedia.com/microsoft-is-letting-openai-get-its-own-ai-compute-'
        "now/",
        'href="https://www.zdnet.com/article/microsoft-just-made-a-huge-investment-in-chatgpt-'
        "maker-openai-heres-why/",
    ]
    assert "<link" not in page and "@import" not in page


def test_texts_from_the_record_are_escaped_in_the_page_and_its_data(
    sqlite_url: str, tmp_path: Path
) -> None:
    text = "</script><script>alert(1)</script>\u2028\x1b[2J"
    path = agreement_file(tmp_path, "hostile", [term_set("h-1", "x.y", "2021-01-01", text)])
    assert run("import", str(path), "--db", sqlite_url).exit_code == 0

    run("report", "--output", str(tmp_path / "r.html"), "--db", sqlite_url)

    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count("</script>") == 2  # the page's own two scripts
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\u2028\\x1b[2J" in page
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)" in page
    assert "\x1b" not in page and "\u2028" not in page


def test_report_into_a_missing_folder_is_a_one_line_error(loaded: str, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "r.html"

    result = run("report", "--output", str(target), "--db", loaded)

    assert result.exit_code == 1
    assert result.stderr == f"Error: cannot write {target}: No such file or directory\n"


def test_report_needs_an_output_file(loaded: str, tmp_path: Path) -> None:
    missing = run("report", "--db", loaded)
    folder = run("report", "--output", str(tmp_path), "--db", loaded)

    assert (missing.exit_code, folder.exit_code) == (2, 2)
    assert "Missing option '--output'" in missing.stderr
    assert "is a directory" in folder.stderr
