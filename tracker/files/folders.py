"""Agreement files in folders: which files an import reads (a folder stands for the agreement
files in it), and where an export may write."""

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


def target(folder: Path, name: str, data: bytes, *, force: bool) -> Path:
    """Where an export writes `name` under `folder`; FileFormatError when it leads outside,
    runs through a symbolic link (which would write a file elsewhere), is not a regular file,
    or, without `force`, holds other content (an export must not destroy what is there)."""
    path = folder / name
    if (link := _link(folder, path)) is not None:
        raise FileFormatError(
            f"{link} is a symbolic link; an export writes no file through one (remove it)"
        )
    if not path.resolve().is_relative_to(folder.resolve()):
        raise FileFormatError(f"{path} is outside {folder}; an export writes only inside it")
    if path.exists() and not path.is_file():
        raise FileFormatError(f"{path} exists and is not a regular file")
    if not force and path.exists() and not _holds(path, data):
        raise FileFormatError(
            f"{path} already exists with other content; pass --force to overwrite it"
        )
    return path


def _link(folder: Path, path: Path) -> Path | None:
    """The first symbolic link on the way from `folder` (itself trusted) down to `path`."""
    relative = path.relative_to(folder)
    for step in [*reversed(relative.parents[:-1]), relative]:
        if (folder / step).is_symlink():
            return folder / step
    return None


def _holds(path: Path, data: bytes) -> bool:
    """Whether the file holds exactly `data` (an export of the same content changes nothing)."""
    return path.stat().st_size == len(data) and path.read_bytes() == data
