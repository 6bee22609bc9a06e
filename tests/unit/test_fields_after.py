"""One "fields after this event": the projector's fold and `tracker log --term`'s patches both
take a term's fields after a term.amended from `fields_after`."""

from __future__ import annotations

import datetime as dt

from tracker.cli.patches import amended
from tracker.core.dates import When
from tracker.core.events import TermAmended
from tracker.core.projector import fields_after

AMENDMENT = TermAmended(
    id="acme-3",
    agreement="acme",
    effective=When.day(dt.date(2025, 6, 1)),
    term="price.unit",
    changes={"eur": 12, "discount": None, "indexed": True},
)


def test_an_amendment_changes_a_field_removes_a_null_one_and_adds_a_new_one_last() -> None:
    before = {"eur": 10, "discount": 0.1, "unit": "kg"}

    after = fields_after(before, AMENDMENT, lambda v: f"<{v}>")

    assert after == {"eur": "<12>", "unit": "kg", "indexed": "<True>"}
    assert list(after) == ["eur", "unit", "indexed"]
    assert before == {"eur": 10, "discount": 0.1, "unit": "kg"}  # left as it was


def test_removing_a_field_the_term_does_not_have_changes_nothing_else() -> None:
    after = fields_after({"eur": 10}, AMENDMENT, lambda v: v)

    assert after == {"eur": 12, "indexed": True}


def test_the_patches_view_takes_a_terms_fields_after_an_amendment_the_same_way() -> None:
    current = {"summary": "Unit price", "since": "2024-01-01", "value.eur": 10,
               "value.discount": 0.1, "value.unit": "kg"}  # fmt: skip

    after = amended(current, AMENDMENT)

    assert after == {"summary": "Unit price", "since": "2024-01-01", "value.eur": 12,
                     "value.unit": "kg", "value.indexed": True}  # fmt: skip
