"""Pydantic at the edges: the models that validate data coming in (agreement files, `record`,
the Python API's writes, `verify`) and give the JSON Schema, generated from the value classes
of tracker.core.events, their one definition.

Each value class becomes a model with the same name, fields, defaults and descriptions: a
`msgspec.Meta`'s constraints become the field's, `Before` and `After` functions its
validators, a `When` the EDTF date type, `Any` a JSON value, the class's `check` an `after`
model validator and its `prepared` a `before` one. What a model validates is turned back into
the value class, so every reader meets one kind of object. Nothing on the read
path imports this module.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Iterable
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    PlainSerializer,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    create_model,
    model_validator,
)

from tracker.core.dates import SUBSET, When
from tracker.core.events import (
    After,
    BaseEvent,
    Batch,
    Before,
    Event,
    StoredSource,
    Value,
)

__all__ = ["ValidationError", "adapter", "event", "events", "model_of", "pydantic_type"]

Date = Annotated[
    When,
    PlainValidator(When.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|\.\./\d{4}-\d{2}-\d{2})$",
            "description": "EDTF: " + SUBSET,
        }
    ),
]
WHAT_HAPPENED = "What happened: the event type."
_CONSTRAINTS = ("pattern", "min_length", "max_length", "ge", "le", "gt", "lt")
_CONFIG = ConfigDict(frozen=True, extra="forbid")


@functools.cache
def model_of(cls: type[Value]) -> type[BaseModel]:
    """The pydantic model of a value class (built once, on first use)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: dict[str, Any] = {}
    for info in msgspec.structs.fields(cls):
        if issubclass(cls, BaseEvent) and info.name == _first_own_field(cls):
            fields["type"] = _tag_field(cls)
        fields[info.name] = _field(hints[info.name], info)
    if issubclass(cls, BaseEvent) and "type" not in fields:
        fields["type"] = _tag_field(cls)  # an event with no field of its own
    checks: dict[str, Any] = {}
    if cls.prepared is not Value.prepared:
        checks["prepared"] = model_validator(mode="before")(
            classmethod(lambda _model, data: cls.prepared(data))  # type: ignore[arg-type]
        )
    if cls.check is not Value.check:

        def checked(self: BaseModel) -> BaseModel:
            cls.check(self)  # type: ignore[arg-type]  # the same fields, by the same names
            return self

        checked.__qualname__ = checked.__name__ = "check"
        checks["check"] = model_validator(mode="after")(checked)
    model = create_model(
        cls.__name__,
        __config__=_CONFIG,
        __doc__=cls.__doc__,
        __module__=cls.__module__,
        __validators__=checks,
        **fields,
    )
    return model  # type: ignore[no-any-return]


def _value_class(cls: type[Value]) -> Any:
    """A value class's model, validating into the class itself: what it validated becomes
    an instance of `cls` (its fields already values of their own classes, validated first)."""
    names = cls.__struct_fields__

    def made(model: BaseModel) -> Value:
        fields = model.__dict__
        return cls(**{name: fields[name] for name in names})

    return Annotated[model_of(cls), AfterValidator(made)]


def _first_own_field(cls: type[BaseEvent]) -> str | None:
    """The first field an event class adds to BaseEvent's: `type` goes before it."""
    own = cls.__struct_fields__[len(BaseEvent.__struct_fields__) :]
    return own[0] if own else None


def _tag_field(cls: type[BaseEvent]) -> tuple[Any, Any]:
    return typing.Literal[cls.type], Field(cls.type, description=WHAT_HAPPENED)


def _field(hint: Any, info: msgspec.structs.FieldInfo) -> tuple[Any, Any]:
    description = None
    if get_origin(hint) is Annotated:
        for meta in get_args(hint)[1:]:
            if isinstance(meta, msgspec.Meta) and meta.description is not None:
                description = meta.description
    annotation = pydantic_type(hint)
    if info.default is not msgspec.NODEFAULT:
        return annotation, Field(info.default, description=description)
    if info.default_factory is not msgspec.NODEFAULT:
        return annotation, Field(default_factory=info.default_factory, description=description)
    return annotation, Field(description=description)


def pydantic_type(hint: Any) -> Any:
    """The type pydantic validates for a value class's field type."""
    origin = get_origin(hint)
    if origin is Annotated:
        inner, *metadata = get_args(hint)
        constraints: dict[str, Any] = {}
        validators: list[Any] = []
        for meta in metadata:
            if isinstance(meta, msgspec.Meta):
                found = {k: getattr(meta, k) for k in _CONSTRAINTS}
                constraints.update({k: v for k, v in found.items() if v is not None})
            elif isinstance(meta, Before):
                validators.append(BeforeValidator(meta.function))
            elif isinstance(meta, After):
                validators.append(AfterValidator(meta.function))
        result = pydantic_type(inner)
        if constraints:  # first, so that pydantic checks them natively
            result = Annotated[result, Field(**constraints)]
        for validator in validators:
            result = Annotated[result, validator]
        return result
    if hint is When:
        return Date
    if hint is Any:
        return JsonValue
    if isinstance(hint, type) and issubclass(hint, Value):
        return _value_class(hint)
    if origin in (Union, types.UnionType):
        members = get_args(hint)
        union: Any = Union[tuple(pydantic_type(m) for m in members)]  # noqa: UP007
        if sum(isinstance(m, type) and issubclass(m, BaseEvent) for m in members) > 1:
            return Annotated[union, Field(discriminator="type")]
        return union
    if origin is tuple:
        item, _ellipsis = get_args(hint)
        return tuple[pydantic_type(item), ...]  # type: ignore[misc]
    if origin is dict:
        key, value = get_args(hint)
        return dict[pydantic_type(key), pydantic_type(value)]  # type: ignore[misc]
    return hint


@functools.cache
def adapter(hint: Any) -> TypeAdapter[Any]:
    """A validator of any type built of value classes (a union of events, a list of them)."""
    return TypeAdapter(pydantic_type(hint))


def validate(hint: Any, data: Any) -> Any:
    """`data` validated as `hint` (ValidationError otherwise), as value classes; a value
    made in Python (a value class's instance) is validated by its attributes, as data is."""
    return adapter(hint).validate_python(data, from_attributes=True)


def event(data: Any) -> Event:
    """Plain data validated as an event of the type it names."""
    return validate(Event, data)  # type: ignore[no-any-return]


def events(values: Iterable[Event]) -> list[Event]:
    """Events made in Python validated as data from a file is (a value class's constructor
    checks nothing): what is appended; ValidationError names the first bad one."""
    check = adapter(Event).validate_python
    return [check(value, from_attributes=True) for value in values]


def batch(given: Batch) -> Batch:
    """A batch's events and sources validated (see `events`)."""
    sources = given.sources
    if sources:
        sources = validate(tuple[StoredSource, ...], sources)
    return Batch(given.agreement, events(given.events), sources)


def value(cls: type[Value], data: Any) -> Any:
    """Plain data validated as a value of `cls` (a Source, a Party)."""
    return validate(cls, data)
