"""Words for the agreement file's top level, for editors to show while a file is written; the
events' and sources' fields carry their own (`Field(description=...)` in the core's models)."""

from __future__ import annotations

from typing import Any

# By (model, field); the file's top level is the model "".
_HEADER = {
    ("", "agreement"): "The agreement's id: lower-case letters, digits and dashes.",
    ("", "title"): "The agreement's title (as its agreement.created event's; an amendment "
    "file for an agreement already stored may leave it out).",
    ("", "parties"): "Who is bound by the agreement, and in what role (as title).",
    ("", "sources"): "Where the facts come from: reports, announcements, contracts.",
    ("", "head"): "Written by tracker export: the log's last version and a digest of its "
    "events, which an import compares with the stored log.",
    ("FileHead", "version"): "The agreement's version when the file was exported.",
    ("FileHead", "digest"): "SHA-256 of the exported events' content, in log order.",
    ("", "events"): "The agreement's events, in any order; ids make importing again harmless.",
}


def describe_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with the file's top-level fields described (the models describe the rest)."""
    _describe(schema, "")
    for model, definition in schema.get("$defs", {}).items():
        _describe(definition, model)
    return schema


def _describe(definition: dict[str, Any], model: str) -> None:
    for field, prop in definition.get("properties", {}).items():
        words = _HEADER.get((model, field))
        if words is not None:
            prop.setdefault("description", words)
