"""The `tracker` command line: parse, call the library, render, translate errors."""

from tracker.cli import admin, read, write
from tracker.cli.app import cli, main
from tracker.cli.write import RECORDABLE

__all__ = ["RECORDABLE", "admin", "cli", "main", "read", "write"]
