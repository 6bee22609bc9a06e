"""Bounded reads: count bytes while reading, so that no file, device, FIFO or stream can
exhaust memory or hang the tracker."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import BinaryIO

from tracker.errors import FileFormatError

STDIN = "-"
CHUNK = 1 << 16


def is_stdin(path: Path | str) -> bool:
    """Whether a path names standard input (`-`)."""
    return str(path) == STDIN


def shown(path: Path | str) -> str:
    """The path as messages name it."""
    return "<stdin>" if is_stdin(path) else str(path)


class ReadError(FileFormatError):
    """A file cannot be read within its bounds; `problem` says why without naming it."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.problem = problem


def read_bytes(path: Path | str, limit: int, what: str, hint: str = "") -> bytes:
    """The bytes of a regular file (or of standard input, `-`), at most `limit` of them;
    ReadError (one line) for a device, FIFO or folder, or for more bytes than `limit`."""
    if is_stdin(path):
        return _read(sys.stdin.buffer, limit, STDIN, what + hint)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        raise ReadError(str(path), f"cannot read: {e.strerror}") from e
    with os.fdopen(fd, "rb") as stream:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a device, FIFO or socket"
            raise ReadError(str(path), f"is {kind}, not a regular file")
        size = os.fstat(fd).st_size
        if size > limit:  # known before reading: say how large
            raise ReadError(
                str(path),
                f"{size / (1 << 20):.1f} MiB is over the {_size(limit)} limit for {what}{hint}",
            )
        return _read(stream, limit, path, what + hint)


def _read(stream: BinaryIO, limit: int, path: Path | str, what: str) -> bytes:
    """Read at most `limit` bytes, counting as it goes."""
    chunks: list[bytes] = []
    size = 0
    try:
        while chunk := stream.read(min(CHUNK, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise ReadError(shown(path), f"more than the {_size(limit)} limit for {what}")
    except OSError as e:
        raise ReadError(shown(path), f"cannot read: {e.strerror}") from e
    return b"".join(chunks)


def read_text(path: Path | str, limit: int, what: str, hint: str = "") -> str:
    """A bounded read decoded as UTF-8; FileFormatError names the first bad byte."""
    data = read_bytes(path, limit, what, hint)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ReadError(shown(path), f"not UTF-8 text (byte {e.start})") from e


def _size(limit: int) -> str:
    if limit >= 1 << 20:
        return f"{limit / (1 << 20):g} MiB"
    return f"{limit} bytes"
