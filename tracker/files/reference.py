"""The agreement file's reference, in Markdown, written from the models and their descriptions
(the JSON Schema that `tracker schema` prints), so that it cannot drift from what is accepted.

Regenerate it with `python -m tracker.files.reference > docs/file-format.md`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from tracker.core.dates import SUBSET
from tracker.core.events import EVENT_CLASSES, Citation, Party, Source
from tracker.core.validation import model_of
from tracker.files.agreement import FileHead, Header, json_schema
from tracker.files.schema import describe_fields

DATE_DESCRIPTION = "EDTF: " + SUBSET
INTRO = """\
# The agreement file

This reference is generated from the models that read agreement files
(`python -m tracker.files.reference > docs/file-format.md`; a test fails when it differs).
`tracker schema` prints the same rules as a JSON Schema, which editors use to check and complete
a file, and `tracker init NAME` writes a commented example that imports as is.

An agreement file is YAML: one mapping with the fields below. Unknown fields are refused
everywhere. A field that is not required may be left out; it then takes its default.
"""
DATES = f"""\
## Dates

Event dates (`effective`, `announced`, `expires`) are written in a subset of EDTF
(ISO 8601-2): {SUBSET}. Each is a range of days, kept and always shown as written; a change
counts on a day once its whole range is on or before that day, and until then it is listed as
possible. A source's `published` is one exact day (`2025-01-21`).
"""
MODELS: dict[str, type[BaseModel]] = {
    "Source": model_of(Source),
    "Party": model_of(Party),
    "Citation": model_of(Citation),
    "FileHead": FileHead,
    **{cls.__name__: model_of(cls) for cls in EVENT_CLASSES},
}


def reference() -> str:
    """The whole reference: the file's top level, its parts, every event type, the dates."""
    schema = describe_fields(json_schema())
    definitions = schema["$defs"]
    parts = [INTRO, _table(schema, Header)]
    for name, words in [
        ("Source", "An entry of `sources`."),
        ("Party", "An entry of `parties` (of the file and of `agreement.created`)."),
        ("Citation", "An entry of an event's `sources`."),
        ("FileHead", "The file's `head`, written by `tracker export`."),
    ]:
        parts.append(f"## {name}\n\n{words} {definitions[name]['description']}\n")
        parts.append(_table(definitions[name], MODELS[name]))
    parts.append(_events_intro())
    for cls in EVENT_CLASSES:
        definition = definitions[cls.__name__]
        parts.append(f"### {cls.type}\n\n{definition['description']}\n")
        parts.append(_table(definition, MODELS[cls.__name__]))
    parts.append(DATES)
    return "\n".join(parts)


def _events_intro() -> str:
    kinds = ", ".join(f"`{cls.type}`" for cls in EVENT_CLASSES)
    return (
        "## Events\n\n"
        "Each entry of `events` is one event; its `type` says what happened and which fields "
        f"it takes. The types: {kinds}.\n"
    )


def _table(definition: dict[str, Any], model: type[BaseModel]) -> str:
    """The fields of one mapping, `type` first: type, whether required, default, words."""
    properties = definition["properties"]
    # An event's `type` has a default in the model, but it is what chooses the model: a file
    # must say it.
    required = set(definition.get("required", [])) | {
        name for name, prop in definition["properties"].items() if "const" in prop
    }
    names = sorted(properties, key=lambda name: name != "type")
    rows = [
        "| field | type | required | default | description |",
        "|---|---|---|---|---|",
    ]
    for name in names:
        prop = properties[name]
        cells = [
            f"`{name}`",
            _type(prop),
            "yes" if name in required else "no",
            "" if name in required else _default(prop, model, name),
            _description(prop),
        ]
        rows.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _type(prop: dict[str, Any]) -> str:
    """A JSON Schema type in words."""
    alternatives = [p for p in prop.get("anyOf", []) if p.get("type") != "null"]
    if alternatives:
        return " or ".join(_type(p) for p in alternatives)
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[1]
        return "any JSON value" if name == "JsonValue" else f"[{name}](#{name.lower()})"
    if "discriminator" in prop:
        mapping = {ref: kind for kind, ref in prop["discriminator"]["mapping"].items()}
        kinds = ", ".join(f"`{mapping[choice['$ref']]}`" for choice in prop["oneOf"])
        return f"an [event](#events) of type {kinds}"
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{value}`" for value in prop["enum"])
    return _plain(prop)


def _plain(prop: dict[str, Any]) -> str:
    """A type with no alternatives: a list, a mapping, a date or a scalar with its limits."""
    kind = prop.get("type")
    if kind == "array":
        least = f" (at least {prop['minItems']})" if "minItems" in prop else ""
        items = prop["items"]
        of = "[events](#events)" if "discriminator" in items else _type(items)
        return f"list of {of}{least}"
    if kind == "object":
        least = f" (at least {prop['minProperties']} field)" if "minProperties" in prop else ""
        return f"mapping of field names to JSON values{least}"
    if prop.get("description") == DATE_DESCRIPTION:
        return "date (see [Dates](#dates))"
    if prop.get("format") == "date":
        return "day (`YYYY-MM-DD`)"
    limits = []
    if "pattern" in prop:
        limits.append(f"matching `{prop['pattern']}`")
    if "minLength" in prop:
        limits.append("not empty")
    if "maxLength" in prop:
        limits.append(f"at most {prop['maxLength']} characters")
    if "minimum" in prop:
        limits.append(f"at least {prop['minimum']}")
    words = {"string": "text", "integer": "integer", "number": "number", "boolean": "boolean"}
    return ", ".join([words.get(str(kind), str(kind)), *limits])


def _default(prop: dict[str, Any], model: type[BaseModel], name: str) -> str:
    """An optional field's default, as JSON (a default built by a factory, built); a field
    the model requires but a file may leave out (an event's `agreement`) takes the file's."""
    if "default" in prop:
        return f"`{json.dumps(prop['default'], ensure_ascii=False)}`"
    field = model.model_fields[name]
    if field.is_required():
        return f"the file's `{name}`"
    value = field.get_default(call_default_factory=True)
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _description(prop: dict[str, Any]) -> str:
    """A field's words: its own, or (for a date) those of its type."""
    words = prop.get("description")
    if words is None:
        words = next((p["description"] for p in prop.get("anyOf", []) if "description" in p), "")
    return str(words)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


if __name__ == "__main__":
    print(reference(), end="")
