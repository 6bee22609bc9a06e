"""`tracker terms KEY`: one term in every agreement, from the term index, on SQLite and
PostgreSQL; the index through append, migration and verify."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from tests.conftest import RECORD
from tracker.cli import cli
from tracker.core.events import Event, event_from_dict
from tracker.errors import IntegrityError, NotFoundError
from tracker.service import TermEntry, Tracker
from tracker.store import engines, terms
from tracker.store.driver import Cursor
from tracker.store.log import EventStore
from tracker.store.tables import term_events_table


def index_problems(engine: sa.Engine) -> list[str]:
    """What verify says of the term index."""
    with engine.connect() as conn:
        return terms.check(Cursor.of(conn))


LATER = dt.datetime(2099, 1, 1)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def ev(agreement: str, id_: str, **data: Any) -> Event:
    return event_from_dict({"agreement": agreement, "id": f"{agreement}-{id_}", **data})


def created(agreement: str) -> Event:
    return ev(agreement, "created", type="agreement.created", effective="2025-01-01",
              title=f"{agreement} deal", parties=[{"name": "A", "role": "supplier"}])  # fmt: skip


def price(agreement: str, id_: str, amount: int, effective: str = "2025-02-01") -> Event:
    return ev(agreement, id_, type="term.set", effective=effective, term="supply.price",
              summary=f"{amount} a unit", value={"eur": amount})  # fmt: skip


def correction(agreement: str, id_: str, target: str, replacement: dict[str, Any]) -> Event:
    return ev(agreement, id_, type="event.corrected", target=f"{agreement}-{target}",
              effective="2025-02-05", reason="wrong", replacement=replacement)  # fmt: skip


def content(event: Event) -> dict[str, Any]:
    """An event's content without its identity: a correction's replacement."""
    data = {"type": event.type, **msgspec.structs.asdict(event)}
    del data["id"], data["agreement"]
    return data


def portfolio(store: EventStore) -> None:
    """Three agreements: acme's price corrected, globex's ended, initech's never set."""
    store.append("acme", [created("acme"), price("acme", "p", 10)])
    store.append("globex", [created("globex"), price("globex", "p", 7, "2025-01")])
    store.append("initech", [created("initech")])
    store.append("globex", [ev("globex", "end", type="term.ended", effective="2025-03-01",
                               term="supply.price", reason="terminated")])  # fmt: skip
    store.append("acme", [correction("acme", "fix", "p", content(price("acme", "p", 12)))])


def as_state(tracker: Tracker, key: str, as_of: dt.date) -> list[TermEntry]:
    """What looping `state` over every agreement says of the term."""
    entries = []
    for agreement in tracker.store.agreements():
        s = tracker.state(agreement, as_of, LATER)
        entry = TermEntry(
            agreement, s.terms.get(key), s.ended.get(key), s.possible.get(key), s.coverage
        )
        if entry.term or entry.ended or entry.possible:
            entries.append(entry)
    return entries


def test_terms_lists_each_agreement_with_the_term_as_state_does(tracker: Tracker) -> None:
    portfolio(tracker.store)

    answer = tracker.terms("supply.price", dt.date(2025, 3, 1), LATER)

    assert [(e.agreement, e.term and e.term.value["eur"], e.ended and e.ended.reason)
            for e in answer] == [("acme", 12, None), ("globex", None, "terminated")]  # fmt: skip
    assert answer == as_state(tracker, "supply.price", dt.date(2025, 3, 1))


def test_terms_lists_a_change_of_imprecise_date_as_possible(tracker: Tracker) -> None:
    portfolio(tracker.store)

    answer = tracker.terms("supply.price", dt.date(2025, 1, 15), LATER)

    assert [(e.agreement, e.term, e.possible and e.possible.change) for e in answer] == [
        ("globex", None, "set")
    ]


def test_terms_as_known_before_a_correction_gives_the_old_value(tracker: Tracker) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10)])
    before = tracker.store.clock()
    ended = {"type": "term.ended", "effective": "2025-02-01", "term": "supply.price",
             "reason": "waived"}  # fmt: skip
    tracker.store.append("acme", [correction("acme", "fix", "p", ended)])

    then = tracker.terms("supply.price", dt.date(2025, 3, 1), before)
    now = tracker.terms("supply.price", dt.date(2025, 3, 1), LATER)

    assert [(e.agreement, e.term and e.term.value["eur"]) for e in then] == [("acme", 10)]
    assert now == []


def test_a_later_set_recorded_after_the_moment_asked_about_does_not_hide_the_earlier_one(
    tracker: Tracker,
) -> None:
    # The index skips facts surely before the last term.set by the date: only among the
    # term.sets recorded by the moment asked about.
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-02-01")])
    before = tracker.store.clock()
    tracker.store.append("acme", [price("acme", "q", 11, "2025-02-10")])

    then = tracker.terms("supply.price", dt.date(2025, 3, 1), before)
    now = tracker.terms("supply.price", dt.date(2025, 3, 1), LATER)

    assert [(e.agreement, e.term and e.term.value["eur"]) for e in then] == [("acme", 10)]
    assert [(e.agreement, e.term and e.term.value["eur"]) for e in now] == [("acme", 11)]


def test_a_correction_that_moves_a_fact_to_another_term_moves_it_in_the_index(
    tracker: Tracker,
) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10)])
    moved = content(price("acme", "p", 10)) | {"term": "unit.price"}
    tracker.store.append("acme", [correction("acme", "fix", "p", moved)])
    tracker.store.append("acme", [ev("acme", "undo", type="event.retracted", target="acme-fix",
                                     effective="2025-02-06", reason="it was right")])  # fmt: skip

    old, new = (
        tracker.terms(k, dt.date(2025, 3, 1), LATER) for k in ("supply.price", "unit.price")
    )

    assert ([e.agreement for e in old], new) == (["acme"], [])
    assert index_problems(tracker.store.engine) == []


def test_terms_reads_a_creation_alone_in_its_group_as_its_first_day_only(
    tracker: Tracker,
) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-03")])

    answers, logs = tracker.store.read_term("supply.price", dt.date(2025, 3, 1), LATER)

    assert answers == {}
    assert {a: (log.created, [r.event.id for r in log.records]) for a, log in logs.items()} == {
        "acme": (dt.date(2025, 1, 1), ["acme-p"])
    }


def test_terms_reads_no_creation_where_no_change_may_have_come_by_the_day(
    tracker: Tracker,
) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10)])
    tracker.store.append("globex", [created("globex"), price("globex", "p", 7, "2025-03")])

    answers, logs = tracker.store.read_term("supply.price", dt.date(2025, 3, 1), LATER)

    assert {a: answer.record.event.id for a, answer in answers.items()} == {"acme": "acme-p"}
    assert {a: (log.created, [r.event.id for r in log.records]) for a, log in logs.items()} == {
        "globex": (dt.date(2025, 1, 1), ["globex-p"]),
    }


def test_a_creation_corrected_to_a_later_day_is_read_whole_and_rules_out_a_possible_set(
    tracker: Tracker,
) -> None:
    march = dt.date(2025, 3, 10)
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-03")])
    before = tracker.terms("supply.price", march, LATER)
    moved = content(created("acme")) | {"effective": "2025-03-15"}
    tracker.store.append("acme", [correction("acme", "move", "created", moved)])

    answers, logs = tracker.store.read_term("supply.price", march, LATER)
    after = tracker.terms("supply.price", march, LATER)

    assert [(e.agreement, e.possible and e.possible.change) for e in before] == [("acme", "set")]
    assert answers == {}
    assert [(log.created, [r.event.id for r in log.records]) for log in logs.values()] == [
        (None, ["acme-created", "acme-p", "acme-move"])
    ]
    assert (after, as_state(tracker, "supply.price", march)) == ([], [])


def test_terms_of_a_key_no_agreement_has_is_an_error_listing_the_keys(shipped: Tracker) -> None:
    with pytest.raises(NotFoundError) as raised:
        shipped.terms("no.such", dt.date(2025, 1, 21))

    assert str(raised.value) == (
        "no term 'no.such' in any agreement (terms: agi.clause, api.exclusivity,"
        " cloud.azure_commitment, cloud.exclusivity, cloud.own_capacity,"
        " cloud.third_party_capacity, ip.rights, revenue.share)"
    )


def test_terms_of_a_known_key_on_a_day_it_is_not_in_force_is_empty(shipped: Tracker) -> None:
    assert shipped.terms("cloud.exclusivity", dt.date(2010, 1, 1)) == []


def test_terms_of_the_shipped_record_equal_its_state_for_every_key_and_date(
    shipped: Tracker,
) -> None:
    keys = sorted(shipped.state("microsoft-openai", dt.date(2031, 1, 1)).ended)
    dates = [dt.date(2019, 7, 22), dt.date(2025, 1, 20), dt.date(2025, 1, 21), dt.date(2031, 1, 1)]

    for key in keys:
        for day in dates:
            assert shipped.terms(key, day, LATER) == as_state(shipped, key, day), (key, day)


def test_migrating_a_database_with_events_builds_the_index(db_url: str) -> None:
    engine = engines.create_engine(db_url)
    engines.upgrade(engine)
    tracker = Tracker(EventStore(engine))
    portfolio(tracker.store)
    tracker.import_file(RECORD)
    built_on_append = _index(engine)
    engines.downgrade(engine, "0003")

    engines.upgrade(engine)

    assert _index(engine) == built_on_append
    # 4 creations, then 19 of the record (less its 9 notes and creation) and 4 of the others
    assert len(built_on_append) == 4 + 19 + 4
    assert [row[:4] for row in built_on_append if row[0] == "supply.price"] == [
        ("supply.price", "acme", 2, "group"),
        ("supply.price", "acme", 7, "group"),
        ("supply.price", "globex", 4, "set"),
        ("supply.price", "globex", 6, "end"),
    ]
    assert index_problems(engine) == []
    for key in ("supply.price", "cloud.exclusivity", "agi.clause"):
        assert tracker.terms(key, dt.date(2025, 3, 1), LATER) == as_state(
            tracker, key, dt.date(2025, 3, 1)
        )
    engine.dispose()


def _index(engine: sa.Engine) -> list[tuple[Any, ...]]:
    """The index rows: term, agreement, position, kind, first and last day (day numbers)."""
    ix = term_events_table
    columns = (ix.c.term, ix.c.agreement, ix.c.position, ix.c.kind, ix.c.first, ix.c.last)
    with engine.connect() as conn:
        return sorted(tuple(row) for row in conn.execute(sa.select(*columns)))


def test_verify_names_an_index_row_removed_or_added_behind_the_trackers_back(
    tracker: Tracker,
) -> None:
    portfolio(tracker.store)
    ix = term_events_table
    with tracker.store.engine.begin() as conn:
        conn.execute(ix.delete().where(ix.c.position == 2))
        conn.execute(ix.update().where(ix.c.position == 4).values(kind="fact"))
        day = dt.date(2025, 1, 1).toordinal()
        conn.execute(ix.insert().values(term="supply.volume", agreement="initech", position=5,
                                        kind="fact", first=day, last=day))  # fmt: skip

    problems = tracker.check().problems

    assert problems == [
        "term index: position 2 (acme) is missing under term 'supply.price'",
        "term index: position 4 (globex) is missing under term 'supply.price'",
        "term index: position 4 (globex) is listed under term 'supply.price' as fact "
        "2025-01-01..2025-01-31, which the log does not give it",
        "term index: position 5 (initech) is listed under term 'supply.volume' as fact "
        "2025-01-01..2025-01-01, which the log does not give it",
    ]


def test_cli_terms_table_at_80_columns(shipped: Tracker, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    url = shipped.store.engine.url.render_as_string(hide_password=False)

    result = run("terms", "revenue.share", "--as-of", "2031-01-01", "--known-at", "2099-01-01",
                 "--format", "table", "--db", url)  # fmt: skip

    assert (result.exit_code, result.stdout) == (0, (
        "revenue.share as of 2031-01-01, as known at 2099-01-01T23:59:59.999999Z\n"
        "\n"
        "  AGREEMENT         STATUS           DATE        EXPIRES  CERTAINTY\n"
        "  microsoft-openai  ended (expired)  2031-01-01  -        reported\n"
        "      Two-way revenue share, through 2030 (Microsoft reportedly gets 20%)\n"
    ))  # fmt: skip
    assert result.stderr == (
        "Note: microsoft-openai: the record states no coverage; nothing is recorded after "
        "2025-01-21\n"
    )


def test_cli_terms_json_lists_each_agreement_with_the_state_shape_of_the_term(
    shipped: Tracker,
) -> None:
    url = shipped.store.engine.url.render_as_string(hide_password=False)

    result = run("terms", "cloud.own_capacity", "--as-of", "2025-01-21", "--known-at",
                 "2099-01-01", "--format", "json", "--db", url)  # fmt: skip
    state = run("state", "--as-of", "2025-01-21", "--known-at", "2099-01-01", "--format", "json",
                "--db", url)  # fmt: skip

    in_force = json.loads(state.stdout)["terms"]["cloud.own_capacity"]
    coverage = json.loads(state.stdout)["coverage"]
    del in_force["corroboration"]
    assert json.loads(result.stdout) == {
        "term": "cloud.own_capacity",
        "as_of": "2025-01-21",
        "known_at": "2099-01-01T23:59:59.999999Z",
        "agreements": [
            {"agreement": "microsoft-openai", "in_force": in_force, "ended": None,
             "possible": None, "coverage": coverage}
        ],
    }  # fmt: skip
    assert in_force["since"] == "2025-01-21"


def test_cli_terms_refuses_a_malformed_key_in_one_line(shipped: Tracker) -> None:
    url = shipped.store.engine.url.render_as_string(hide_password=False)

    result = run("terms", "Cloud Exclusivity", "--db", url)

    assert (result.exit_code, result.output) == (
        1,
        "Error: not a term key: 'Cloud Exclusivity' (lower-case words joined by dots)\n",
    )


def test_verify_names_an_index_row_whose_day_number_is_no_day(tracker: Tracker) -> None:
    portfolio(tracker.store)
    ix = term_events_table
    with tracker.store.engine.begin() as conn:
        conn.execute(ix.update().where(ix.c.position == 2).values(first=0))

    problems = tracker.check().problems

    assert problems == [
        "term index: position 2 (acme) is missing under term 'supply.price'",
        "term index: position 2 (acme) is listed under term 'supply.price' as group "
        "0..2025-02-01, which the log does not give it",
    ]


@pytest.mark.parametrize("day", [0, 10**8])
def test_terms_with_a_damaged_creation_day_in_the_index_is_refused_in_one_line(
    tracker: Tracker, day: int
) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10, "2025-03")])
    index = term_events_table
    with tracker.store.engine.begin() as conn:
        conn.execute(index.update().where(index.c.term == terms.CREATED).values(first=day))

    with pytest.raises(IntegrityError) as caught:
        tracker.terms("supply.price", dt.date(2025, 3, 10), LATER)

    assert str(caught.value) == (
        f"the term index row at position 1 (acme) is damaged (its first day is {day}, no day);"
        " run tracker verify"
    )


def test_terms_where_no_change_may_have_come_does_not_read_a_damaged_creation_day(
    tracker: Tracker,
) -> None:
    tracker.store.append("acme", [created("acme"), price("acme", "p", 10)])
    index = term_events_table
    with tracker.store.engine.begin() as conn:
        conn.execute(index.update().where(index.c.term == terms.CREATED).values(first=0))

    answer = tracker.terms("supply.price", dt.date(2025, 3, 1), LATER)

    assert [(e.agreement, e.term and e.term.value, e.ended, e.possible) for e in answer] == [
        ("acme", {"eur": 10}, None, None)
    ]
