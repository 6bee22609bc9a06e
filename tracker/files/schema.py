"""Words for the agreement file's JSON Schema: what each field means, for editors to show
while a file is written (the schema's structure comes from the models)."""

from __future__ import annotations

from typing import Any

# By (model, field), then by field alone; the file's top level is the model "".
_BY_MODEL = {
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
    ("Source", "id"): "The source's id, by which citations name it.",
    ("Source", "title"): "The source's title.",
    ("TermEnded", "reason"): "Why the term ended: expired, terminated, waived or superseded.",
    ("EventRetracted", "reason"): "Why the retracted event no longer counts, in words.",
    ("EventCorrected", "reason"): "Why the event is corrected, in words.",
    ("AgreementCreated", "title"): "The agreement's title.",
    ("TermProposed", "value"): "The value proposed for the term, a mapping of fields.",
    ("TermAmended", "summary"): "The term's new one-line summary, if it changes.",
}
_BY_FIELD = {
    "id": "The event's id: unique, chosen by its author; importing it again is harmless.",
    "agreement": "The agreement's id (may be left out: the file's).",
    "type": "What happened: the event type.",
    "effective": "The date the change takes effect (valid time): 2024-06-11, 2024-06, 2024 "
    "or ../2024-06-11 (on or before).",
    "announced": "The date it became public (same forms).",
    "certainty": "confirmed (the parties said so), reported (credible press) or rumored.",
    "sources": "Citations: the sources that support or contradict the fact, with quotes.",
    "note": "Context, in words.",
    "parties": "Who is bound by the agreement, and in what role.",
    "term": "The term's key: lower-case words joined by dots, e.g. cloud.exclusivity.",
    "summary": "The term in one line.",
    "value": "The term's fields, a mapping (numbers must be finite).",
    "changes": "term.amended: the fields of the term's value that change; null removes one.",
    "expires": "The last day the term is in force by itself.",
    "ends_when": "A condition in words that ends the term when a term.ended records it.",
    "proposal": "The id of the term.proposed event resolved.",
    "resolution": "adopted, rejected or withdrawn.",
    "target": "The id of the earlier event of this agreement that this one retracts or corrects.",
    "replacement": "The corrected event, whole, without id and agreement (the target's).",
    "source": "The id of the source cited.",
    "quote": "Verbatim words of the source; needed when its text is stored.",
    "stance": "supports (the default) or contradicts.",
    "name": "The party's name.",
    "role": "The party's role in the agreement.",
    "publisher": "Who published the source.",
    "url": "Where the source is found.",
    "published": "The date the source was published.",
    "file": "The source's text, a file beside the agreement file: quotes are checked in it.",
    "derived_from": "The source this one rewrites: it does not count as independent.",
}


def describe_fields(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with a description on every field that has none."""
    _describe(schema, "")
    for model, definition in schema.get("$defs", {}).items():
        _describe(definition, model)
    return schema


def _describe(definition: dict[str, Any], model: str) -> None:
    for field, prop in definition.get("properties", {}).items():
        words = _BY_MODEL.get((model, field)) or _BY_FIELD.get(field)
        if words is not None:
            prop.setdefault("description", words)
