"""Safe text: characters that could steer a terminal or a page, written visibly; identifiers
with one spelling (NFC), nothing invisible and no look-alike scripts."""

from __future__ import annotations

import re
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


def hidden(char: str) -> bool:
    """Whether a character is one that must not reach a terminal or a page as itself."""
    return unicodedata.category(char) in _HIDDEN


def visible(text: str) -> str:
    """The text with every control, format or separator character escaped; the rest kept."""
    if text.isprintable():
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


# Letters of these scripts look alike ("p" and Cyrillic "р"): an id may use one of them only.
CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE", "COPTIC"})
# Control (C0, C1, ESC), format (zero-width, bidirectional overrides), separators, unassigned.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs", "Zl", "Zp", "Zs"})
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _script(char: str) -> str | None:
    """The script of a letter, from its Unicode name (`LATIN SMALL LETTER P` -> LATIN)."""
    if not unicodedata.category(char).startswith("L"):
        return None
    return unicodedata.name(char, "UNKNOWN").split()[0]


def _shown(char: str) -> str:
    """A character named so that the message itself shows nothing invisible."""
    name = unicodedata.name(char, "")
    if unicodedata.category(char) == "Cc":
        name = "a control character"
    return f"U+{ord(char):04X} ({name.lower() or 'unassigned'})"


def safe_identifier(value: str) -> str:
    """The identifier in NFC; ValueError for an invisible or control character, or for letters
    of look-alike scripts mixed in one identifier."""
    if value.isascii():  # the common case, read for every stored event: one script, no marks
        control = _ASCII_CONTROL.search(value)
        if control is not None:
            raise ValueError(f"identifiers cannot hold {_shown(control.group())}")
        return value
    value = unicodedata.normalize("NFC", value)
    for char in value:
        if unicodedata.category(char) in INVISIBLE_CATEGORIES:
            raise ValueError(f"identifiers cannot hold {_shown(char)}")
    scripts = {s for char in value if (s := _script(char)) in CONFUSABLE_SCRIPTS}
    if len(scripts) > 1:
        raise ValueError(
            f"identifiers cannot mix look-alike scripts ({', '.join(sorted(scripts)).lower()})"
        )
    return value
