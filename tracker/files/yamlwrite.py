"""Writing YAML that reads back exactly, by YAML 1.2's core schema, and shows nothing hidden.

PyYAML writes by YAML 1.1: it leaves `1e3` bare, which YAML 1.2 reads as a number, and it
writes NEL (U+0085), the line and paragraph separators and bidirectional overrides as
themselves, where a reader folds the first into a space and a terminal obeys the last.
"""

from __future__ import annotations

from typing import Any

import yaml

from tracker.core.text import hidden
from tracker.files.yamlread import core_kind


def _has_hidden(text: str) -> bool:
    return not text.isprintable() and any(hidden(c) for c in text)


class _Dumper(yaml.SafeDumper):
    """A safe dumper whose bare scalars read back as they were, and whose strings holding a
    control, format or separator character are double-quoted with every such one escaped."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0] and core_kind(value) != "str":
            return f"tag:yaml.org,2002:{core_kind(value)}"  # so a string so spelled is quoted
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]

    def choose_scalar_style(self) -> Any:
        event: Any = self.event
        if _has_hidden(event.value):
            return '"'
        return super().choose_scalar_style()

    def write_double_quoted(self, text: Any, split: Any = True) -> None:
        if not _has_hidden(text):
            super().write_double_quoted(text, split)
            return
        # Without allow_unicode every character beyond ASCII is written as an escape.
        self.allow_unicode = False
        try:
            super().write_double_quoted(text, split)
        finally:
            self.allow_unicode = True


def dump(document: Any) -> str:
    """The YAML text of `document` (mappings in their order, UTF-8 kept, 100 columns)."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
