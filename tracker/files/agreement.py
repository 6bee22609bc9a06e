"""Agreement files: YAML documents of an agreement's header, sources and events."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import msgspec
import yaml
from msgspec.structs import replace
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tracker.core import plain
from tracker.core.events import (
    AgreementCreated,
    Batch,
    Event,
    Party,
    Slug,
    Source,
    StoredSource,
    Text,
    event_from_dict,
    event_to_dict,
    reference,
)
from tracker.core.provenance import QuotedTexts, bad_citation, sha256
from tracker.core.validation import pydantic_type
from tracker.core.wording import describe, summary
from tracker.errors import FileFormatError
from tracker.files import bounded, yamlread, yamlwrite
from tracker.files.folders import target

DATE_KEYS = frozenset({"effective", "announced", "expires", "published"})
# Agreement files are read whole; larger ones are refused before reading, to bound memory.
MAX_FILE_BYTES = 16 * 1024 * 1024
# Source texts are held whole, and every quote is searched in them.
MAX_SOURCE_BYTES = 8 * 1024 * 1024


class FileHead(BaseModel):
    """The head an exported file carries: its last version and the digest of its events."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int = Field(ge=1)
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")


# The value classes' types, as pydantic validates them (see tracker.core.validation).
if TYPE_CHECKING:
    SlugType = str
    TextType = str
    PartyModel = Any
    SourceModel = Any
    EventType = Any
else:
    SlugType, TextType = pydantic_type(Slug), pydantic_type(Text)
    PartyModel, SourceModel = pydantic_type(Party), pydantic_type(Source)
    EventType = pydantic_type(Event)


class Header(BaseModel):
    """The top level of an agreement file; events are validated one by one."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    agreement: SlugType
    title: TextType | None = None
    parties: tuple[PartyModel, ...] | None = Field(default=None, min_length=1)
    head: FileHead | None = None
    sources: tuple[SourceModel, ...] = ()
    events: list[Any] = Field(min_length=1)


class AgreementFile(msgspec.Struct, frozen=True):
    """An agreement file's content, validated: ready to append in order."""

    agreement: str
    title: str | None
    parties: tuple[Party, ...] | None
    sources: tuple[StoredSource, ...]
    events: tuple[Event, ...]
    head: FileHead | None = None

    def batch(self) -> Batch:
        """The file's events and sources, ready to append."""
        return Batch(self.agreement, self.events, self.sources)


def read_source_text(path: Path, what: str, limit: int = 0, kind: str = "a source text") -> str:
    """A file's UTF-8 text, at most `limit` bytes (MAX_SOURCE_BYTES by default), read with a
    count; `what` names it in the one-line FileFormatError of a failure."""
    try:
        return bounded.read_text(path, limit or MAX_SOURCE_BYTES, kind)
    except bounded.ReadError as e:
        raise FileFormatError(f"{what}: {e.problem}") from e


def inside(folder: Path, name: str) -> Path | None:
    """The path `name` names under `folder`, or None when it leads outside the folder."""
    resolved = (folder / name).resolve()
    return resolved if resolved.is_relative_to(folder.resolve()) else None


def read_yaml(path: Path | str) -> Any:
    """Parse a YAML file safely; every failure becomes a one-line FileFormatError."""
    name = bounded.shown(path)
    text = bounded.read_text(
        path, MAX_FILE_BYTES, "an agreement file", "; split it by agreement or by period"
    )
    try:
        return yamlread.load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise FileFormatError(f"{name}: invalid YAML{where}: {problem}") from e


def load(path: Path) -> AgreementFile:
    """Read and validate a whole agreement file (`-`: standard input); raise FileFormatError
    naming what is wrong."""
    name = bounded.shown(path)
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise FileFormatError(f"{name}: an agreement file is a mapping with an `events` list")
    try:
        header = Header.model_validate(data)
    except ValidationError as e:
        raise FileFormatError(f"{name}: {describe(e, Header)}") from e
    events = _events(name, header)
    if (twice := _first_repeat(e.id for e in events)) is not None:
        raise FileFormatError(f"{name}: event {twice!r}: field id: used twice in the file")
    _check_created(name, header, events)
    if (twice := _first_repeat(s.id for s in header.sources)) is not None:
        raise FileFormatError(f"{name}: source {twice!r}: field id: used twice in the file")
    sources = tuple(_stored(path, s) for s in header.sources)
    by_id = {s.source.id: s for s in sources}
    amending = not any(isinstance(e, AgreementCreated) for e in events)
    texts = QuotedTexts()
    for event in events:
        # An amendment file may cite sources stored before it: the import checks those.
        problem = None if amending else bad_citation(event, by_id, texts)
        if problem is not None:
            raise FileFormatError(f"{name}: event {event.id!r}: {problem}")
    return AgreementFile(
        header.agreement,
        header.title,
        header.parties,
        sources,
        tuple(ordered(events)),
        header.head,
    )


def _events(path: Path | str, header: Header) -> list[Event]:
    """The file's events, validated; every event's problems are reported at once."""
    events: list[Event] = []
    found: list[str] = []
    for i, raw in enumerate(header.events):
        try:
            events.append(_event(path, header.agreement, i, raw))
        except FileFormatError as e:
            found.append(str(e).removeprefix(f"{path}: "))
    if found:
        raise FileFormatError(f"{path}: {summary(found)}")
    return events


def _event(name: Path | str, agreement: str, index: int, raw: Any) -> Event:
    label = f"event #{index + 1}"
    if not isinstance(raw, dict):
        raise FileFormatError(f"{name}: {label}: an event is a mapping of fields")
    if isinstance(raw.get("id"), str):
        label = f"event {raw['id']!r}"
    if raw.get("agreement", agreement) != agreement:
        raise FileFormatError(
            f"{name}: {label}: field agreement: {raw['agreement']!r} is not this file's "
            f"agreement {agreement!r}"
        )
    try:
        return event_from_dict({**raw, "agreement": agreement})
    except ValidationError as e:
        raise FileFormatError(f"{name}: {label}: {describe(e)}") from e


def _first_repeat(ids: Iterable[str]) -> str | None:
    """The first id that comes a second time, if any."""
    seen: set[str] = set()
    for id_ in ids:
        if id_ in seen:
            return id_
        seen.add(id_)
    return None


def _check_created(path: Path | str, header: Header, events: Sequence[Event]) -> None:
    """A file that creates its agreement has one agreement.created event, whose title and
    parties are the file's; an amendment file has none, and no title or parties."""
    created = [e for e in events if isinstance(e, AgreementCreated)]
    if len(created) > 1:
        raise FileFormatError(
            f"{path}: the file has {len(created)} agreement.created events; an agreement is"
            " created once"
        )
    if not created:
        given = [name for name in ("title", "parties") if getattr(header, name) is not None]
        if given:
            raise FileFormatError(
                f"{path}: field {given[0]}: an amendment file (one without agreement.created)"
                " leaves out title and parties"
            )
        return
    for name in ("title", "parties"):
        if getattr(header, name) is None:
            raise FileFormatError(f"{path}: field {name}: required beside agreement.created")
        if getattr(created[0], name) != getattr(header, name):
            raise FileFormatError(
                f"{path}: event {created[0].id!r}: field {name}: differs from the file's {name}"
            )


def _stored(path: Path, source: Source) -> StoredSource:
    name = bounded.shown(path)
    if source.file is None:
        return StoredSource(source=source)
    where = f"{name}: source {source.id!r}: field file"
    text_path = inside(path.parent, source.file)
    if text_path is None:
        raise FileFormatError(f"{where}: {source.file!r} is outside its folder")
    text = read_source_text(text_path, f"{where}: {source.file!r}")
    return StoredSource(source=source, text=text, sha256=sha256(text))


def ordered(events: Sequence[Event]) -> list[Event]:
    """The events in file order, except that the agreement.created event comes first and an
    event that refers to another comes after it. Unresolvable references are left for the
    store to reject.

    Placed in rounds: each round, in file order, the events whose reference was placed in an
    earlier round (or is not in the file); a round with none takes the first event left. Each
    placed id hands its waiting events to the next round, so a long chain of retractions costs
    its length (times a sort per round), not its length squared."""
    pending = sorted(events, key=lambda e: not isinstance(e, AgreementCreated))
    ids = {e.id for e in events}
    waiting: dict[str, list[int]] = {}
    ready: list[int] = []
    for n, event in enumerate(pending):
        if (d := reference(event)) is None or d not in ids:
            ready.append(n)
        else:
            waiting.setdefault(d, []).append(n)
    done = [False] * len(pending)
    result: list[Event] = []
    first_left = 0
    while len(result) < len(pending):
        if not ready:  # a cycle: take the first event left, as it stands in the file
            while done[first_left]:
                first_left += 1
            ready = [first_left]
        released: list[int] = []
        for n in ready:
            done[n] = True
            result.append(pending[n])
            released.extend(waiting.pop(pending[n].id, ()))
        ready = sorted(n for n in set(released) if not done[n])
    return result


def _dates(fields: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON fields with its own exact-day fields as dates again, so that YAML
    writes them bare; a correction's replacement too. Values inside `value` are left alone."""
    result: dict[str, Any] = {}
    for key, value in fields.items():
        if key in DATE_KEYS and isinstance(value, str) and len(value) == 10:
            value = dt.date.fromisoformat(value)  # an exact day; imprecise ones stay text
        elif key == "replacement" and isinstance(value, dict):
            value = _dates(value)
        result[key] = value
    return result


def dump(agreement: AgreementFile) -> str:
    """The agreement file's YAML text; loading it back gives the same content."""
    events = []
    for event in agreement.events:
        data = event_to_dict(event)
        del data["agreement"]
        events.append(_dates({"id": data.pop("id"), "type": data.pop("type"), **data}))
    sources = [
        {k: v for k, v in plain.fields_of(s.source).items() if v is not None}
        for s in agreement.sources
    ]
    document: dict[str, Any] = {"agreement": agreement.agreement}
    if agreement.title is not None and agreement.parties is not None:
        document["title"] = agreement.title
        document["parties"] = [plain.fields_of(p) for p in agreement.parties]
    if agreement.head is not None:
        document["head"] = agreement.head.model_dump()
    document |= {"sources": [_dates(s) for s in sources], "events": events}
    return yamlwrite.dump(document)


def write(agreement: AgreementFile, folder: Path, *, force: bool = False) -> Path:
    """Write the agreement file and its stored source texts into `folder`; every target is
    checked (`folders.target`) before any is written, so a refusal writes nothing."""
    try:
        return _write(agreement, folder, force=force)
    except OSError as e:
        raise FileFormatError(f"cannot write to {folder}: {e.strerror or e}") from e


def _write(agreement: AgreementFile, folder: Path, *, force: bool) -> Path:
    name = f"{agreement.agreement}.yaml"
    agreement = replace(agreement, sources=distinct_files(agreement.sources, name))
    contents = {
        stored.source.file: stored.text.encode("utf-8")
        for stored in agreement.sources
        if stored.source.file is not None and stored.text is not None
    }
    contents[name] = dump(agreement).encode("utf-8")
    folder.mkdir(parents=True, exist_ok=True)
    targets = {target(folder, file, data, force=force): data for file, data in contents.items()}
    for path, data in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return folder / name


def distinct_files(sources: Sequence[StoredSource], taken: str) -> tuple[StoredSource, ...]:
    """The sources, each text under a path of its own: sources added from folders of their
    own may name files alike (`a/press.txt`, `b/press.txt` are both `press.txt`), and one
    export writes them into one folder. A later source whose path is another text's (or
    `taken`, the agreement file's) is given `NAME.ID.EXT` beside it."""
    texts: dict[str, str | None] = {taken: None}
    result = []
    for stored in sources:
        file = stored.source.file
        if file is not None and stored.text is not None:
            if texts.get(file, stored.sha256) != stored.sha256:
                file = _free_name(file, stored.source.id, texts)
                source = replace(stored.source, file=file)
                stored = StoredSource(source=source, text=stored.text, sha256=stored.sha256)
            texts[file] = stored.sha256
        result.append(stored)
    return tuple(result)


def _free_name(file: str, source_id: str, taken: Mapping[str, object]) -> str:
    """`NAME.ID.EXT` beside `file`, numbered when even that is taken."""
    path = PurePosixPath(file)
    for n in itertools.count(1):
        tail = source_id if n == 1 else f"{source_id}-{n}"
        candidate = str(path.with_name(f"{path.stem}.{tail}{path.suffix}"))
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def json_schema() -> dict[str, Any]:
    """The JSON Schema of agreement files: the header, with events of every type."""

    class AgreementFileSchema(Header):
        events: list[EventType] = Field(min_length=1)

    schema = AgreementFileSchema.model_json_schema()
    for definition in schema.get("$defs", {}).values():
        required = definition.get("required", [])
        if "agreement" in required and "type" in definition.get("properties", {}):
            required.remove("agreement")
    schema["title"] = "tracker agreement file"
    return schema
