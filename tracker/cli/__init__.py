"""The `tracker` command line: parse, call the library, render, translate errors."""

from tracker.cli import admin, read, see, write
from tracker.cli.app import cli, main

__all__ = ["admin", "cli", "main", "read", "see", "write"]
