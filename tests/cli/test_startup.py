"""Start-up: a command loads its own module and what it needs, not every command's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from tests.conftest import RECORD, ROOT
from tracker.cli import cli
from tracker.cli.app import COMMANDS


def tree(command: click.Command) -> object:
    """A command's name and, for a group, its subcommands' trees."""
    if isinstance(command, click.Group):
        return {name: tree(sub) for name, sub in sorted(command.commands.items())}
    return command.name


def python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )


@pytest.fixture
def loaded(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    result = CliRunner().invoke(cli, ["import", str(RECORD), "--db", url])
    assert result.exit_code == 0, result.output
    return url


def test_the_group_names_every_command_its_modules_define() -> None:
    from tracker.cli import admin, read, see, write  # noqa: F401  (registers their commands)

    assert sorted(cli.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_looked_up_alone_is_whole(name: str) -> None:
    code = (
        "import json, click\n"
        "from tests.cli.test_startup import tree\n"
        "from tracker.cli import cli\n"
        f"print(json.dumps(tree(cli.get_command(click.Context(cli), {name!r}))))\n"
    )
    ctx = click.Context(cli)
    expected = {n: tree(c) for n in cli.list_commands(ctx) if (c := cli.get_command(ctx, n))}

    result = python(code)

    assert json.loads(result.stdout) == expected[name]


@pytest.fixture(
    scope="module",
    params=[["state"], ["terms", "cloud.exclusivity"]],
    ids=["state", "terms"],
)
def state_run(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> subprocess.CompletedProcess[str]:
    """`tracker state --format json` (and `tracker terms KEY`, a read across agreements) on the
    shipped record, then what it loaded, a line each: its command modules; which of pydantic
    and SQLAlchemy it imported."""
    url = f"sqlite:///{tmp_path_factory.mktemp('state') / 'tracker.db'}"
    imported = CliRunner().invoke(cli, ["import", str(RECORD), "--db", url])
    assert imported.exit_code == 0, imported.output
    command = [*request.param, "--as-of", "2025-01-21", "--format", "json", "--db", url]
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"sys.argv = ['tracker', *{command!r}]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    cli = sorted(m for m in sys.modules if m.startswith('tracker.cli'))\n"
        "    print(cli, file=sys.stderr)\n"
        "    print(sorted({'pydantic', 'sqlalchemy'} & set(sys.modules)), file=sys.stderr)\n"
    )
    return python(code)


def test_state_as_json_loads_no_other_commands_nor_tables(
    state_run: subprocess.CompletedProcess[str],
) -> None:
    lines = state_run.stderr.splitlines()

    assert '"agreement": "microsoft-openai"' in state_run.stdout
    loaded_modules = (
        "['tracker.cli', 'tracker.cli.app', 'tracker.cli.jsonout', 'tracker.cli.read',"
        " 'tracker.cli.shapes']"
    )
    assert lines[0] == loaded_modules


def test_state_on_sqlite_imports_neither_pydantic_nor_sqlalchemy(
    state_run: subprocess.CompletedProcess[str],
) -> None:
    lines = state_run.stderr.splitlines()

    assert lines[1] == "[]"


@pytest.mark.parametrize(
    ("given", "seen", "scanned"),
    [(None, "__all__", False), ("", "", True), ("logfire", "logfire", True)],
)
def test_the_console_script_turns_pydantic_plugins_off_unless_told(
    loaded: str, given: str | None, seen: str, scanned: bool
) -> None:
    # `import` validates the file through pydantic's models; pydantic's loader keeps what its
    # scan of installed plugins found, and stays None when it never scanned.
    code = (
        "import os, sys\n"
        "from tracker.cli import main\n"
        f"sys.argv = ['tracker', 'import', {str(RECORD)!r}, '--dry-run', '--db', {loaded!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    from pydantic.plugin import _loader\n"
        "    print(repr(os.environ['PYDANTIC_DISABLE_PLUGINS']), _loader._plugins is not None,\n"
        "          file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    if given is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = given

    result = python(code, env)

    assert result.stderr.splitlines()[-1] == f"{seen!r} {scanned}"
