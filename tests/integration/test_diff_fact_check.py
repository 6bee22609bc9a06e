"""What `diff` shows of a term whose fields differ in certainty, and of an affirmation whose
date is a whole year (the second fact-check of the shipped record, points 11 and 12)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.cli.see import run
from tests.conftest import RECORD
from tracker.core.events import event_from_dict
from tracker.core.state import certainty_text
from tracker.service import Tracker

NAME = "cloud"


def event(type_: str, id_: str, effective: str, **fields: Any) -> Any:
    return event_from_dict(
        {"type": type_, "id": id_, "agreement": NAME, "effective": effective, **fields}
    )


def created() -> Any:
    parties = [{"name": "A", "role": "buyer"}, {"name": "B", "role": "seller"}]
    return event("agreement.created", "created", "2020-01-01", title="Cloud", parties=parties)


def test_point_11_diff_names_the_one_reported_field_not_the_whole_term(tracker: Tracker) -> None:
    exclusive = event("term.set", "exclusive", "2020-01-01", term="cloud",
                      summary="Exclusive", value={"model": "exclusive"})  # fmt: skip
    rofr = event("term.set", "rofr", "2025-01-21", term="cloud", summary="ROFR",
                 value={"model": "rofr"})  # fmt: skip
    declined = event("term.amended", "declined", "2025-01-21", term="cloud",
                     certainty="reported", changes={"if_declined": "others"})  # fmt: skip
    tracker.append(NAME, [created(), exclusive, rofr, declined])

    change = tracker.diff(NAME, dt.date(2025, 1, 20), dt.date(2025, 1, 21)).changes[0]

    assert change.before is not None and change.after is not None
    assert (certainty_text(change.before), certainty_text(change.after)) == (
        "confirmed",
        "confirmed (if_declined: reported)",
    )


def test_point_11_a_term_whose_fields_agree_shows_one_word(tracker: Tracker) -> None:
    rofr = event("term.set", "rofr", "2025-01-21", term="cloud", summary="ROFR",
                 certainty="reported", value={"model": "rofr", "holder": "B"})  # fmt: skip
    tracker.append(NAME, [created(), rofr])

    assert certainty_text(tracker.state(NAME, dt.date(2025, 2, 1)).terms["cloud"]) == "reported"


def test_point_12_an_affirmation_dated_by_its_year_is_not_an_event_of_half_that_year(
    tracker: Tracker,
) -> None:
    rent = event("term.set", "rent", "2024-06-11", term="rent", summary="Rent", value={})
    affirmed = event("term.affirmed", "affirmed-2024", "2024", term="rent")
    tracker.append(NAME, [created(), rent, affirmed])

    half = tracker.diff(NAME, dt.date(2024, 6, 12), dt.date(2024, 12, 31))
    whole = tracker.diff(NAME, dt.date(2023, 12, 31), dt.date(2024, 12, 31))

    assert ([a.event for a in half.affirmed], [a.event for a in whole.affirmed]) == (
        [],
        ["affirmed-2024"],
    )


def test_point_12_the_shipped_diff_of_the_second_half_of_2024_affirms_nothing(
    tmp_path: Any,
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    run("import", str(RECORD), "--db", url)

    result = run("diff", "2024-06-12", "2024-12-31", "--format", "json", "--db", url)

    assert (result.exit_code, json.loads(result.stdout)["affirmed"]) == (0, [])
