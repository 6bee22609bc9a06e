"""The agreement file's field descriptions live on the event classes, where they are read:
the models generated from them carry them."""

from __future__ import annotations

from tracker.core.events import EVENT_CLASSES, Citation, Party, Source, TermEnded
from tracker.core.validation import model_of
from tracker.service import file_schema


def test_every_model_field_carries_its_description_but_the_date_typed_effective() -> None:
    models = [*EVENT_CLASSES, Citation, Party, Source]

    undescribed = [
        f"{model.__name__}.{name}"
        for model in models
        for name, field in model_of(model).model_fields.items()
        if not field.description
    ]

    assert undescribed == [f"{cls.__name__}.effective" for cls in EVENT_CLASSES]


def test_tracker_schema_reads_a_field_description_from_its_model() -> None:
    schema = file_schema()

    assert model_of(TermEnded).model_fields["reason"].description == (
        "Why the term ended: expired, terminated, waived or superseded."
    )
    assert schema["$defs"]["TermEnded"]["properties"]["reason"]["description"] == (
        "Why the term ended: expired, terminated, waived or superseded."
    )
    assert schema["$defs"]["TermEnded"]["properties"]["effective"]["description"] == (
        "EDTF: a day (2024-06-11), a month (2024-06), a year (2024) or on or before a day "
        "(../2024-06-11)"
    )
