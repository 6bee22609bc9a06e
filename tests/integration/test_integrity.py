"""The log cannot be changed, lost or forked: tamper evidence, concurrent writers, crashes."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import ROOT
from tests.integration.test_store import created, term_set
from tracker.core.events import event_from_dict
from tracker.errors import ConcurrencyError, IntegrityError
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.integrity import verify
from tracker.store.log import EventStore
from tracker.store.tables import events_table

WRITERS = 8
EVENTS_EACH = 250


def drop_triggers(store: EventStore) -> None:
    """What someone editing the database behind the tracker's back would do first."""
    with store.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(sa.text("DROP TRIGGER events_no_update"))
            conn.execute(sa.text("DROP TRIGGER events_no_delete"))
        else:
            conn.execute(sa.text("DROP TRIGGER events_no_update_delete ON events"))


def test_verify_passes_on_an_untouched_log(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b")])

    assert verify(store.engine) == 3


def test_verify_names_the_first_row_edited_behind_our_back(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b")])
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(events_table)
            .where(events_table.c.id == "a")
            .values(payload=sa.func.replace(events_table.c.payload, "Ten", "Six"))
        )

    with pytest.raises(IntegrityError) as raised:
        verify(store.engine)

    assert str(raised.value) == (
        "agreement 'acme': event 'a' (position 2, version 2): "
        "hash differs from the recomputed hash: the row was changed"
    )


def test_verify_catches_a_deleted_event(store: EventStore) -> None:
    store.append("acme", [created(), term_set("a"), term_set("b")])
    drop_triggers(store)
    with store.engine.begin() as conn:
        conn.execute(sa.delete(events_table).where(events_table.c.id == "a"))

    with pytest.raises(IntegrityError) as raised:
        verify(store.engine)

    assert str(raised.value) == (
        "agreement 'acme': event 'b' (position 3, version 3): "
        "version follows 1: a gap or a duplicate"
    )


def _writer(url: str, writer: int, results: multiprocessing.Queue[tuple[int, int, float]]) -> None:
    """Append EVENTS_EACH events one by one with expected versions, retrying lost races."""
    engine = create_engine(url)
    store = EventStore(engine)
    lost = 0
    start = time.perf_counter()
    for n in range(EVENTS_EACH):
        event = term_set(f"w{writer}-{n}")
        while True:
            try:
                store.append("acme", [event], expected_version=store.version("acme"))
                break
            except ConcurrencyError:
                lost += 1
                time.sleep(random.random() / 500)
    results.put((writer, lost, time.perf_counter() - start))
    engine.dispose()


@pytest.mark.slow
def test_eight_concurrent_writers_leave_2000_events_without_gaps(
    store: EventStore, db_url: str
) -> None:
    store.append("acme", [created()])
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[tuple[int, int, float]] = context.Queue()
    processes = [context.Process(target=_writer, args=(db_url, w, results)) for w in range(WRITERS)]

    for p in processes:
        p.start()
    outcomes = [results.get(timeout=300) for _ in processes]
    for p in processes:
        p.join(timeout=60)

    versions = [r.version for r in store.read("acme")]
    assert versions == list(range(1, WRITERS * EVENTS_EACH + 2))
    assert verify(store.engine) == WRITERS * EVENTS_EACH + 1
    races = sum(lost for _, lost, _ in outcomes)
    seconds = max(s for _, _, s in outcomes)
    print(
        f"\n{store.engine.dialect.name}: {len(versions) - 1} events, {races} races lost "
        f"and retried, {seconds:.1f} s"
    )


def test_a_follower_never_skips_an_event_that_commits_late(store: EventStore) -> None:
    store.append("acme", [created()])
    store.append("zeta", [created("zeta", "zeta-created")])
    inside = threading.Event()
    release = threading.Event()

    def slow_clock() -> object:
        inside.set()
        release.wait(timeout=30)
        return EventStore(store.engine).clock()

    slow = EventStore(store.engine, slow_clock)  # type: ignore[arg-type]
    first = threading.Thread(target=slow.append, args=("acme", [term_set("late")]))
    second = threading.Thread(target=store.append, args=("zeta", [term_set("z", agreement="zeta")]))
    first.start()
    inside.wait(timeout=30)
    second.start()
    time.sleep(0.5)
    seen_while_open = [r.event.id for r in store.read_all(after=2)]
    second_done_while_open = not second.is_alive()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert (seen_while_open, second_done_while_open) == ([], False)
    assert [r.event.id for r in store.read_all(after=2)] == ["late", "z"]


CRASHING_IMPORT = """
import sys, time
from pathlib import Path
from tracker.service import Tracker
from tracker.store.engines import create_engine, ensure_schema
from tracker.store.log import EventStore, utcnow

def mark(text):
    # Written aside, then renamed: the test never sees the marker existing but empty.
    aside = Path(sys.argv[3] + ".aside")
    aside.write_text(text)
    aside.replace(sys.argv[3])

def clock():
    mark("writing")
    return utcnow()

engine = create_engine(sys.argv[1])
Tracker(EventStore(engine, clock)).import_file(Path(sys.argv[2]))
mark("done")
"""


def big_file(path: Path, events: int) -> None:
    lines = [
        "agreement: big\ntitle: Big\nparties: [{name: A, role: a}]\nevents:\n",
        "  - {id: big-0, type: agreement.created, effective: 2020-01-01, title: Big,"
        " parties: [{name: A, role: a}]}\n",
    ]
    lines += [
        f"  - {{id: big-{n}, type: term.set, effective: 2021-01-01, term: t.k{n % 50},"
        f" summary: s{n}}}\n"
        for n in range(1, events)
    ]
    path.write_text("".join(lines), encoding="utf-8")


@pytest.mark.slow
def test_sigkill_during_import_leaves_all_or_nothing(db_url: str, tmp_path: Path) -> None:
    engine = create_engine(db_url)
    ensure_schema(engine)
    big_file(tmp_path / "big.yaml", 20_000)
    marker = tmp_path / "marker"
    process = subprocess.Popen(
        [sys.executable, "-c", CRASHING_IMPORT, db_url, str(tmp_path / "big.yaml"), str(marker)],
        cwd=ROOT,
    )
    while not marker.exists() and process.poll() is None:
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()

    store = EventStore(create_engine(db_url))
    assert marker.read_text() == "writing"
    assert store.version("big") in (0, 20_000)
    assert verify(store.engine) == store.version("big")


def test_hostile_event_text_does_not_break_the_chain(store: EventStore) -> None:
    note = event_from_dict(
        {
            "type": "note.recorded",
            "id": "n",
            "agreement": "acme",
            "effective": "2025-01-01",
            "note": "'); DROP TABLE events; -- \u0000\u202e",
        }
    )
    store.append("acme", [created(), note])

    assert verify(store.engine) == 2
    assert store.read("acme")[1].event == note
