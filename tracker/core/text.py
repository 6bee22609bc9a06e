"""Text made safe to show: characters that could steer a terminal or a page, written visibly."""

from __future__ import annotations

import unicodedata

# Controls (C0, C1, DEL), format characters (bidirectional overrides and isolates, zero-width
# characters), line and paragraph separators, surrogates and private use: none of these may
# reach a terminal or a page as themselves.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(char: str) -> str:
    """One character as a visible escape: \\n, \\x1b, \\u202e, \\U000e0001."""
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """The text with every control, format or separator character escaped; the rest kept."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)
