"""The `tracker` command line: parse, call the library, render, translate errors.

Each command's module is imported when the command is looked up (see app.COMMANDS).
"""

from tracker.cli.app import cli, main

__all__ = ["cli", "main"]
