"""The `tracker` command line: parse, call the library, render, translate errors."""

from tracker.cli import admin, read, write
from tracker.cli.app import cli, main

__all__ = ["admin", "cli", "main", "read", "write"]
