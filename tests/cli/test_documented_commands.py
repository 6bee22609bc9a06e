"""Every command line the documentation shows runs: the README's and every `--help` example.

How each line is found and prepared:

- README: every indented line that starts with `$ tracker`, `tracker` or `.venv/bin/tracker`
  (a line ending in `\\` or inside an open quote goes on with the next), outside the Python
  block. The lines of one `## ` section run in README order in a folder of their own, the
  working directory, with `XDG_DATA_HOME` inside it, where `tracker agreements` first creates
  the default database and loads the shipped record (as any first read does; a `tracker db`
  command such as `db backup` never creates one); `events/` is copied into the folder for the
  lines that name it. An agreement file the README shows (an indented block starting with
  `agreement:`) is written under the name the section's `tracker import` line gives it, in
  order (`acme.yaml`, then `amend-2025.yaml`), and each source text it names (`file:`) holds
  the quotes its events cite from that source; a `--text FILE` of `tracker sources add` holds
  the quotes the section's `--cite SOURCE=QUOTE` options give. `export NAME=VALUE` lines set
  the environment of the section's later lines.
- `--help`: the `Example:` of every command and subcommand (walked as click looks them up),
  each distinct example in a folder of its own on the shipped record; the commands on
  `acme-supply` run after the example that creates it (`tracker agreement create`), with the
  text `tracker sources add` names written first. `A; later: B` runs A, then B.
- Placeholders: `EVENT` is the id of the event the section's previous `tracker record` line
  recorded (with none, it stays as written, and the line fails). A PostgreSQL URL (in `--db`
  or `TRACKER_DATABASE_URL`) is replaced by a SQLite file in the folder: the tests need no
  server. A read replica (`--read-db URL`, `--replica-only`, `--max-lag SECONDS`,
  `TRACKER_READ_DATABASE_URL`) is left out for the same reason (the replica tests read one).
  `| jq …` is left out (the tracker's own output is what is checked), and `> FILE` writes the
  output to FILE in the folder.

A line fails the test if it exits with any status but 0 (2, bad usage, included) or prints
"unexpected" (an error the tracker did not foresee).
"""

from __future__ import annotations

import re
import shlex
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tests.cli.test_cli import command_paths
from tests.conftest import ROOT
from tracker.cli import cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
PREFIXES = ("$ tracker ", "tracker ", ".venv/bin/tracker ")


@dataclass
class Section:
    """One `## ` section of the README: its command lines and the agreement files it shows."""

    title: str
    commands: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def readme_sections() -> list[Section]:
    """The README's sections that show command lines, each with its lines in order."""
    sections: list[Section] = []
    text = README.split("```python", 1)[0] + README.split("```python", 1)[1].split("```", 1)[1]
    for chunk in re.split(r"^## ", text, flags=re.M)[1:]:
        title, body = chunk.split("\n", 1)
        section = Section(title)
        section.commands = list(command_lines(body))
        section.files = [block for block in indented_blocks(body) if block.startswith("agreement:")]
        if section.commands:
            sections.append(section)
    return sections


def indented_blocks(body: str) -> list[str]:
    """The blocks of lines indented by four spaces, their indentation taken off."""
    blocks = re.findall(r"(?:^    .*\n)+", body, flags=re.M)
    return [
        "\n".join(line[4:] for line in block.strip("\n").splitlines()) + "\n" for block in blocks
    ]


def command_lines(body: str) -> Iterator[str]:
    """The command lines of a section (`export` lines too), continuations joined."""
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line, i = lines[i], i + 1
        if not line.startswith("    "):
            continue
        stripped = line.strip()
        if not (stripped.startswith(PREFIXES) or stripped.startswith("export ")):
            continue
        while (stripped.endswith("\\") or not closed(stripped)) and i < len(lines):
            stripped = stripped.removesuffix("\\").rstrip() + "\n" + lines[i].strip()
            i += 1
        yield stripped.removeprefix("$ ")


def closed(line: str) -> bool:
    """Whether a line's quotes are all closed."""
    try:
        shlex.split(line, comments=True)
    except ValueError:
        return False
    return True


# The read replica's options, and how many values each takes.
REPLICA_OPTIONS = {"--read-db": 1, "--replica-only": 0, "--max-lag": 1}


def without_replica(words: list[str]) -> list[str]:
    """A command line's words without the read replica's options."""
    kept, i = [], 0
    while i < len(words):
        if words[i] in REPLICA_OPTIONS:
            i += 1 + REPLICA_OPTIONS[words[i]]
            continue
        kept.append(words[i])
        i += 1
    return kept


def help_examples() -> list[str]:
    """Every distinct `Example:` of every command's help, in the order of the commands."""
    examples: list[str] = []
    runner = CliRunner()
    for path in command_paths(cli):
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path
        text = result.output.split("Example: ", 1)[1].split("\n\n", 1)[0]
        example = " ".join(part.strip() for part in text.splitlines())
        if example not in examples:
            examples.append(example)
    return examples


class Folder:
    """A working folder with its own default database, where documented lines run."""

    def __init__(self, path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        self.env: dict[str, str] = {}
        self.last_event: str | None = None
        monkeypatch.chdir(path)
        monkeypatch.setenv("XDG_DATA_HOME", str(path / "data"))
        for name in ["TRACKER_DATABASE_URL", "TRACKER_AGREEMENT", "TRACKER_DEBUG", "NO_COLOR"]:
            monkeypatch.delenv(name, raising=False)
        shutil.copytree(ROOT / "events", path / "events")
        # The default database, created and loaded on first use: by the first read, as in the
        # README (`tracker db …` commands, such as `db backup`, never create one).
        assert self.run("tracker agreements") == ""

    def run(self, line: str) -> str:
        """Run one documented line; what went wrong with it, or "" when it ran."""
        if line.startswith("export "):
            name, value = line.removeprefix("export ").split("=", 1)
            if name != "TRACKER_READ_DATABASE_URL":
                self.env[name] = self.stand_in(value)
            return ""
        words = without_replica(shlex.split(line, comments=True))
        words = words[: words.index("|")] if "|" in words else words
        output_file = None
        if ">" in words:
            output_file = words[words.index(">") + 1]
            words = words[: words.index(">")]
        args = [self.stand_in(word) for word in words[1:]]
        result = CliRunner().invoke(cli, args, env=self.env)
        if output_file is not None:
            (self.path / output_file).write_text(result.stdout, encoding="utf-8")
        recorded = re.search(r"^(\S+): recorded", result.output, flags=re.M)
        if recorded and words[1] == "record":
            self.last_event = recorded.group(1)
        if result.exit_code != 0 or "unexpected" in result.output:
            return f"{line!r} exited {result.exit_code}: {result.output}"
        return ""

    def stand_in(self, word: str) -> str:
        """A placeholder or a server's URL, replaced by what runs here."""
        if word.startswith("postgresql://"):
            return f"sqlite:///{self.path / 'postgresql-stand-in.db'}"
        if word == "EVENT" and self.last_event is not None:
            return self.last_event
        return word

    def write_agreement_files(self, section: Section) -> None:
        """The section's agreement files, named as its import line names them, with the
        source texts they name holding the quotes their events cite."""
        if not section.files:
            return
        names = [
            word
            for line in section.commands
            if line.startswith("tracker import ")
            for word in shlex.split(line, comments=True)[2:]
            if word.endswith(".yaml")
            and not (self.path / word).exists()
            and not word.startswith("events/")
        ]
        for name, text in zip(dict.fromkeys(names), section.files, strict=True):
            (self.path / name).write_text(text, encoding="utf-8")
            self.write_source_texts(yaml.safe_load(text))

    def write_source_texts(self, data: dict[str, object]) -> None:
        """Each source text a file names, holding the quotes its events cite from it."""
        quotes: dict[str, list[str]] = {}
        for event in data["events"]:  # type: ignore[attr-defined]
            for citation in event.get("sources", []):
                quotes.setdefault(citation["source"], []).append(citation["quote"])
        for source in data.get("sources", []):  # type: ignore[attr-defined]
            if "file" in source:
                text = ". ".join(quotes.get(source["id"], [source["title"]])) + ".\n"
                (self.path / source["file"]).write_text(text, encoding="utf-8")

    def write_cited_texts(self, lines: list[str]) -> None:
        """The `--text FILE` of each `sources add`, holding the quotes cited from its source."""
        words = [word for line in lines for word in shlex.split(line, comments=True)]
        cited = [
            words[i + 1].split("=", 1) for i, word in enumerate(words[:-1]) if word == "--cite"
        ]
        for line in lines:
            added = shlex.split(line, comments=True)
            if added[:3] == ["tracker", "sources", "add"]:
                source = added[added.index("--id") + 1]
                quotes = [quote for name, quote in cited if name == source] or ["Its words."]
                text = ". ".join(quotes) + ".\n"
                (self.path / added[added.index("--text") + 1]).write_text(text, encoding="utf-8")


SECTIONS = readme_sections()


def test_the_readme_shows_the_command_lines_this_test_runs() -> None:
    counted = {section.title: len(section.commands) for section in SECTIONS}

    assert counted == {
        "Install, run, test": 1,
        "A short tour": 13,
        "Your own agreement": 9,
        "Where the data is, and backups": 1,
        "Terms as they really change": 4,
        "PostgreSQL": 4,
        "Scaling out": 5,
    }
    assert [len(section.files) for section in SECTIONS] == [0, 0, 0, 0, 2, 0, 0]


@pytest.mark.parametrize("section", SECTIONS, ids=[s.title for s in SECTIONS])
def test_every_command_line_of_a_readme_section_runs(
    section: Section, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = Folder(tmp_path, monkeypatch)
    folder.write_cited_texts(section.commands)
    folder.write_agreement_files(section)

    failures = [failure for line in section.commands if (failure := folder.run(line))]

    assert failures == []


def test_every_help_text_has_an_example() -> None:
    assert len(help_examples()) == len(command_paths(cli)) - 2  # two groups repeat one


HELP_EXAMPLES = help_examples()


@pytest.mark.parametrize(
    "example",
    HELP_EXAMPLES,
    ids=[e.split(" -", 1)[0].removeprefix("tracker ") for e in HELP_EXAMPLES],
)
def test_every_help_example_runs(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One test each, so that parallel workers share them out.
    create = next(e for e in HELP_EXAMPLES if e.startswith("tracker agreement create "))
    folder = Folder(tmp_path, monkeypatch)
    lines = example.split("; later: ")
    if "acme-supply" in example and example != create:
        lines = [create, *lines]
    folder.write_cited_texts(lines)

    failures = [failure for line in lines if (failure := folder.run(line))]

    assert failures == []
