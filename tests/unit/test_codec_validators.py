"""Each event type's validators are built when the type is first read, and only then."""

from __future__ import annotations

import pytest

from tracker.core.events import TermEnded
from tracker.store import codec


def test_a_type_no_event_has_gets_no_validator() -> None:
    validators = codec._VALIDATORS

    assert validators.get("term.renamed") is None
    with pytest.raises(KeyError):
        validators["term.renamed"]


def test_a_types_validator_is_built_once_and_kept() -> None:
    validators = codec._VALIDATORS
    first = validators.get("term.ended")

    again = validators["term.ended"]

    assert first is again
    assert TermEnded.__pydantic_complete__


def test_a_type_read_back_first_still_decodes_as_its_model() -> None:
    payload = '{"type":"term.ended","id":"e1","agreement":"acme","effective":"2025-03",'
    payload += '"term":"cloud.exclusivity","reason":"expired"}'

    read = codec.decode(payload, "term.ended", codec.SCHEMA_VERSION, verify=False)
    checked = codec.decode(payload, "term.ended", codec.SCHEMA_VERSION)

    expected = TermEnded(
        id="e1", agreement="acme", effective="2025-03", term="cloud.exclusivity", reason="expired"
    )
    assert read == checked == expected
