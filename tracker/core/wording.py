"""Validation errors in the tracker's own words: the field, what is wrong with it, and a
suggestion where one exists (did you mean…?), instead of pydantic's wording."""

from __future__ import annotations

import difflib
import types
from collections.abc import Iterable, Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from tracker.core.dates import When
from tracker.core.events import EVENT_TYPES
from tracker.core.plain import event_class
from tracker.core.validation import model_of

# Past this many problems, a message says how many more there are.
MAX_PROBLEMS = 10

_PATTERNS = {
    "term": "a term key is lower-case words joined by dots, e.g. cloud.exclusivity",
    "id": "an id has no spaces",
    "target": "an event id has no spaces",
    "proposal": "an event id has no spaces",
}
_SLUG = "an id is lower-case letters, digits and dashes, e.g. acme-supply"


def describe(error: ValidationError, root: type[BaseModel] | None = None) -> str:
    """Every problem of a validation error, on one line; `root` is the model validated (by
    default, an event of the union, whose type leads each location)."""
    return summary(problems(error, root))


def summary(found: Sequence[str]) -> str:
    """Problems joined on one line, at most MAX_PROBLEMS of them."""
    shown = "; ".join(found[:MAX_PROBLEMS])
    more = len(found) - MAX_PROBLEMS
    return f"{shown}; and {more} more" if more > 0 else shown


def problems(error: ValidationError, root: type[BaseModel] | None = None) -> list[str]:
    """Each problem of a validation error, in the tracker's words."""
    details = error.errors()
    suggested = {_suggestion(d, root) for d in details if d["type"] == "extra_forbidden"}
    found: list[str] = []
    for detail in details:
        where, model = _location(detail["loc"], root)
        if detail["type"] == "missing" and where in suggested:
            continue  # the misspelt field's message says it
        found.append(_problem(detail, where, model))
    return list(dict.fromkeys(found))


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` most likely misspells, if any is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_agreement(name: str, known: Sequence[str]) -> str:
    """Why an amendment file's agreement cannot be amended, with the stored one it most
    likely misspells: its ids and first event are not the problem, and must not be named."""
    match = closest(name, known)
    if match is not None:
        return f"agreement {name!r} is unknown (did you mean {match!r}?)"
    listing = ", ".join(known) if known else "the database holds none"
    return (
        f"agreement {name!r} is unknown ({listing}); import the file that creates it "
        "(with agreement.created) first, or with this one"
    )


def _problem(detail: ErrorDetails, where: str, model: type[BaseModel] | None) -> str:
    kind, ctx = detail["type"], detail.get("ctx", {})
    field = f"field {where}: " if where else ""
    if kind == "extra_forbidden":
        return _unknown_field(where, model) + _comma_hint(detail)
    if kind == "missing":
        return f"{field}required"
    if kind == "union_tag_invalid":
        return _unknown_type(str(ctx.get("tag", "")), where)
    if kind == "union_tag_not_found":
        return f"field {_join(where, 'type')}: required (one of {', '.join(EVENT_TYPES)})"
    if kind in ("model_attributes_type", "model_type", "dict_type"):
        return f"{field}must be a mapping of fields"
    if kind == "value_error":
        return f"{field}{ctx.get('error', detail['msg'])}"
    if kind == "literal_error":
        return f"{field}{detail['input']!r} is not allowed: use {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        last = where.rsplit(".", 1)[-1]
        return f"{field}{detail['input']!r} is not valid: {_PATTERNS.get(last, _SLUG)}"
    if kind.startswith(("date_", "datetime_")):
        return f"{field}{detail['input']!r} is not a date (YYYY-MM-DD)" + _one_day(where, detail)
    return f"{field}{_plain(detail['msg'])}"


def _unknown_field(where: str, model: type[BaseModel] | None) -> str:
    parent, _, name = where.rpartition(".")
    known = list(model.model_fields) if model is not None else []
    match = closest(name, known)
    hint = f" (did you mean {match!r}?)" if match else ""
    inside = f"field {parent}: " if parent else ""
    return f"{inside}unknown field {name!r}{hint}"


def _comma_hint(detail: ErrorDetails) -> str:
    """A hint for an unknown field without a value: in a `{…}` mapping, a comma ends a value,
    so an unquoted `summary: build, train and deploy` leaves `train and deploy` as a field."""
    if detail.get("input", "") is not None:
        return ""
    return '; a comma ends a value inside {…}: quote a value that holds one ("build, train")'


def _one_day(where: str, detail: ErrorDetails) -> str:
    """Why a source's `published` takes no imprecise date, and what to write instead: it is
    stored (and hashed) as one day, and `--published-by` asks whether a source was surely
    out by a day, which the last day of the range answers."""
    if where.rsplit(".", 1)[-1] != "published":
        return ""
    try:
        last = When.parse(detail["input"]).last
    except ValueError:
        return ""
    return (
        f"; a source's published is one day: write the day by which it was surely out "
        f"({last.isoformat()}), as --published-by reads it, or leave it out"
    )


def _unknown_type(tag: str, where: str) -> str:
    match = closest(tag, EVENT_TYPES)
    hint = f"did you mean {match!r}?" if match else f"types: {', '.join(EVENT_TYPES)}"
    inside = f"field {where}: " if where else ""
    return f"{inside}unknown event type {tag!r} ({hint})"


def _suggestion(detail: ErrorDetails, root: type[BaseModel] | None) -> str:
    """The field an unknown one probably misspells, as a location, or ''."""
    where, model = _location(detail["loc"], root)
    parent, _, name = where.rpartition(".")
    match = closest(name, list(model.model_fields) if model is not None else [])
    return _join(parent, match) if match else ""


def _location(
    loc: tuple[int | str, ...], root: type[BaseModel] | None
) -> tuple[str, type[BaseModel] | None]:
    """The dotted field path (union tags left out) and the model holding its last field."""
    parts: list[str] = []
    model, holder = root, root
    for part in loc:
        if (
            isinstance(part, str)
            and part in EVENT_TYPES
            and (model is None or part not in model.model_fields)
        ):
            model = holder = model_of(event_class(part))
            continue
        parts.append(str(part))
        holder = model
        if isinstance(part, str) and model is not None:
            field = model.model_fields.get(part)
            model = _model_in(field.annotation) if field is not None else None
    return ".".join(parts), holder


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The one model a field's type holds (in a tuple, list or optional), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = get_origin(annotation)
    if origin is None:
        return None
    found = {m for arg in get_args(annotation) if (m := _model_in(arg)) is not None}
    if origin in (Union, types.UnionType) and len(found) > 1:
        return None
    return found.pop() if len(found) == 1 else None


def _join(parent: str, name: str) -> str:
    return f"{parent}.{name}" if parent else name


def _plain(message: str) -> str:
    """pydantic's message, its 'Input should be' said as the tracker says it."""
    return message.replace("Input should be", "must be").replace("Value error, ", "")
