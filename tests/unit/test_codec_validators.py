"""Each event type's decoder is built when the type is first read, and kept; reading a row
and validating it at the edge give the same event."""

from __future__ import annotations

from tracker.core import plain
from tracker.core.dates import When
from tracker.core.events import TermEnded
from tracker.store import codec


def test_a_type_no_event_has_gets_no_decoder() -> None:
    assert plain.decoder("term.renamed") is None


def test_a_types_decoder_is_built_once_and_kept() -> None:
    first = plain.decoder("term.ended")

    again = plain.decoder("term.ended")

    assert first is not None
    assert first is again


def test_a_type_read_back_first_still_decodes_as_its_class() -> None:
    payload = '{"type":"term.ended","id":"e1","agreement":"acme","effective":"2025-03",'
    payload += '"term":"cloud.exclusivity","reason":"expired"}'

    read = codec.decode(payload, "term.ended", codec.SCHEMA_VERSION, verify=False)
    checked = codec.decode(payload, "term.ended", codec.SCHEMA_VERSION)

    expected = TermEnded(
        id="e1",
        agreement="acme",
        effective=When.parse("2025-03"),
        term="cloud.exclusivity",
        reason="expired",
    )
    assert read == checked == expected
