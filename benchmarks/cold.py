"""The cold-start figure: a new process opens the database and reads one agreement."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from figures import Check, Figure, Result, info, shown
from workload import START, Sizes, contents, medians, reader
from writes import url_of

HERE = Path(__file__).resolve().parent
RECORD = HERE.parent / "events" / "microsoft-openai.yaml"


def cold_env(folder: Path) -> dict[str, str]:
    """The environment for start-up runs: bytecode cached (as in an installed package), but
    under `folder`, so that nothing is written beside the sources; no database override."""
    dropped = {"TRACKER_DATABASE_URL", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def run_once(args: Sequence[str], env: dict[str, str]) -> float:
    """Wall-clock seconds of one run of a command (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


# What `tracker state` cannot help importing as it is built: click for its command line and
# the event classes (msgspec; pydantic is imported by the edges alone). Their import alone
# bounds how close its start-up can come to the peer's.
FLOOR = "import click, tracker.core.events"


def cold_commands(folder: Path) -> dict[str, list[str]]:
    """The tracker's state command on the shipped record, the peer's open-and-read of an
    agreement of as many events, an empty interpreter, and the imports state cannot avoid."""
    import peer

    tracker_cli = str(Path(sys.executable).parent / "tracker")
    url = url_of(folder / "record.db")
    subprocess.run(
        [tracker_cli, "import", str(RECORD), "--db", url], check=True, capture_output=True
    )
    state = [tracker_cli, "state", "microsoft-openai", "--as-of", "2025-01-21"]
    state += ["--format", "json", "--db", url]
    printed = json.loads(subprocess.run(state, check=True, capture_output=True).stdout)
    with reader(url) as tracker:
        events = tracker.store.version("microsoft-openai")
    info(f"tracker state prints {len(printed['terms'])} terms from {events} events")
    path = folder / "record-peer.db"
    with peer.closing(peer.open_sqlite(str(path))) as app:
        aggregate = peer.created("microsoft-openai", START)
        peer.set_terms(aggregate, contents(1, events - 1, 10, 1))
        app.save(aggregate)
    return {
        "tracker": state,
        "peer": [
            sys.executable,
            str(HERE / "child.py"),
            "peer-read",
            str(path),
            "microsoft-openai",
        ],
        "python": [sys.executable, "-c", "pass"],
        "floor": [sys.executable, "-c", FLOOR],
    }


def bench_cold_start(folder: Path, sizes: Sizes) -> Result:
    """Start-up: each command in a new process, rounds interleaved after a warm-up round."""
    commands = cold_commands(folder)
    env = cold_env(folder)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(sizes.cold_runs + 1):
        for name, args in commands.items():
            seconds = run_once(args, env)
            if round_:
                times[name].append(seconds * 1000)
    tracker, peer_, python, floor = medians(times)
    figure = Figure(
        "cold start: open and read one agreement",
        "ms",
        "time",
        tracker,
        peer_,
        python,
        "python -c pass",
        [Check("tracker / peer time", tracker / peer_, "<=", 1.5)],
        "tracker: `tracker state` on the shipped record; peer: its open-and-read, same count; "
        f"`{FLOOR}` alone: {floor:.0f} ms, {floor / peer_:.2f}x the peer",
    )
    return shown(figure)
