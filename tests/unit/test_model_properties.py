"""Property tests of imprecise dates, amendments, reaffirmations and --published-by."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from tests.strategies import AGREEMENT, KEYS, PURE, appended, event_of, logs
from tracker.core.events import Citation, Source, StoredSource
from tracker.core.projector import project
from tracker.core.provenance import published_by
from tracker.core.state import AgreementState, Recorded

MONTHS = ("2024-12", "2025-01", "2025-02")
LAST_DAYS = {"2024-12": "2024-12-31", "2025-01": "2025-01-31", "2025-02": "2025-02-28"}
around = st.integers(-45, 75).map(lambda n: dt.date(2025, 1, 1) + dt.timedelta(days=n))
values = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(0, 9), min_size=1)


def substance(state: AgreementState) -> tuple[Any, ...]:
    """A state without the text of its dates: what is in force, ended, pending, possible."""
    return (
        {k: (dict(t.value), t.certainty, t.events, t.sources) for k, t in state.terms.items()},
        {k: (e.reason, e.events, e.certainty) for k, e in state.ended.items()},
        sorted(state.pending),
        sorted(state.possible),
    )


def _in_month(day: dt.date, month: str) -> bool:
    return day.isoformat()[:7] == month


@PURE
@given(records=logs(), month=st.sampled_from(MONTHS), value=values, as_of=around)
def test_a_month_precise_change_is_a_change_on_its_last_day_outside_the_month(
    records: list[Recorded], month: str, value: dict[str, int], as_of: dt.date
) -> None:
    if _in_month(as_of, month):
        as_of = dt.date.fromisoformat(LAST_DAYS[month]) + dt.timedelta(days=1)
    change = {
        "id": "change",
        "type": "term.set",
        "term": "ip.rights",
        "summary": "s",
        "value": value,
    }

    by_month = project(AGREEMENT, appended(records, event_of(**change, effective=month)), as_of)
    by_day = project(
        AGREEMENT, appended(records, event_of(**change, effective=LAST_DAYS[month])), as_of
    )

    assert substance(by_month) == substance(by_day)


@PURE
@given(
    records=logs(),
    value=values,
    field=st.sampled_from(["a", "b", "z"]),
    new=st.integers(-(10**30) + 1, 10**30 - 1),
)
def test_amending_a_field_and_amending_it_back_leaves_the_value_as_it_was(
    records: list[Recorded], value: dict[str, int], field: str, new: int
) -> None:
    term = {"term": "ip.rights", "type": "term.amended"}
    set_ = event_of(id="set", type="term.set", effective="2025-01-02", term="ip.rights",
                  summary="s", value=value)  # fmt: skip
    away = event_of(id="away", effective="2025-01-03", changes={field: new}, **term)
    back = event_of(id="back", effective="2025-01-04", changes={field: value.get(field)}, **term)
    as_of = dt.date(2025, 1, 20)

    state = project(AGREEMENT, appended(records, set_, away, back), as_of)

    assert dict(state.terms["ip.rights"].value) == value


@PURE
@given(records=logs(), key=st.sampled_from(KEYS), on=around, as_of=around)
def test_an_affirmation_never_changes_a_value_or_a_since(
    records: list[Recorded], key: str, on: dt.date, as_of: dt.date
) -> None:
    affirm = event_of(id="affirm", type="term.affirmed", effective=on, term=key,
                    sources=[{"source": "press"}])  # fmt: skip

    before = project(AGREEMENT, records, as_of)
    after = project(AGREEMENT, appended(records, affirm), as_of)

    assert {k: (dict(t.value), t.since) for k, t in after.terms.items()} == {
        k: (dict(t.value), t.since) for k, t in before.terms.items()
    }


@st.composite
def cited_logs(draw: st.DrawFn) -> tuple[list[Recorded], dict[str, StoredSource]]:
    """Logs whose every event cites, in support, one of three dated sources."""
    sources = {
        name: StoredSource(source=Source(id=name, title=name, published=draw(around)))
        for name in ("memo", "press", "blog")
    }
    records = [
        Recorded(
            msgspec.structs.replace(
                r.event, sources=(Citation(source=draw(st.sampled_from(sorted(sources)))),)
            ),
            r.position,
            r.version,
            r.recorded_at,
        )
        for r in draw(logs())
    ]
    return records, sources


@PURE
@given(cited=cited_logs(), as_of=around)
def test_published_by_a_date_after_every_source_is_no_option(
    cited: tuple[list[Recorded], dict[str, StoredSource]], as_of: dt.date
) -> None:
    records, sources = cited
    after_all = max(s.source.published for s in sources.values() if s.source.published) + (
        dt.timedelta(days=1)
    )

    state = project(AGREEMENT, published_by(records, sources, after_all), as_of)

    assert state == project(AGREEMENT, records, as_of)
