"""Which agreement files an import names: a folder stands for the agreement files in it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracker.errors import FileFormatError
from tracker.files.bounded import is_stdin

PATTERN = "*.yaml"


def agreement_files(paths: Sequence[Path]) -> list[Path]:
    """The files to import: each folder replaced by its `*.yaml` files, sorted (not its
    subfolders, where source texts live); a file named twice is read once, so a folder and
    one of its files may be given together."""
    found: list[Path] = []
    for path in paths:
        for file in in_folder(path) if path.is_dir() and not is_stdin(path) else [path]:
            if file not in found:
                found.append(file)
    return found


def in_folder(folder: Path) -> list[Path]:
    """A folder's agreement files, sorted; FileFormatError when it holds none, since an
    import that silently loads nothing would look like a success."""
    files = sorted(p for p in folder.glob(PATTERN) if not p.is_dir())
    if not files:
        raise FileFormatError(f"{folder}: a folder with no agreement files ({PATTERN}) in it")
    return files
