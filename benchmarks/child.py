"""What the benchmark runs in a fresh process, so that one figure does not pollute another.

child.py peak tracker URL AGREEMENT   peak memory of one state replay, JSON on stdout
child.py peak peer FILE AGREEMENT     the same through the peer
child.py peer-read FILE AGREEMENT     the peer's open-and-read (for cold start)
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys


def max_rss_kb() -> int:
    """This process's peak resident set size so far, in KiB. On Linux from VmHWM, the peak of
    this program alone: ru_maxrss also counts the parent's size when it forked this one."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def peak_tracker(url: str, agreement: str) -> dict[str, int]:
    """Open the tracker, then read and fold one agreement as of a late date."""
    from tracker.service import Tracker

    tracker = Tracker.open(url, create=False)
    before = max_rss_kb()
    state = tracker.state(agreement, dt.date(2099, 12, 31))
    return {"before_kb": before, "peak_kb": max_rss_kb(), "terms": len(state.terms)}


def peak_peer(path: str, agreement: str) -> dict[str, int]:
    """Open the peer, then get one agreement's aggregate (a replay of all its events)."""
    import peer

    app = peer.open_sqlite(path)
    before = max_rss_kb()
    aggregate = app.repository.get(peer.agreement_id(agreement))
    return {"before_kb": before, "peak_kb": max_rss_kb(), "terms": len(aggregate.terms)}


def peer_read(path: str, agreement: str) -> int:
    """The peer's open-and-read: the number of terms of one agreement."""
    import peer

    app = peer.open_sqlite(path)
    return len(app.repository.get(peer.agreement_id(agreement)).terms)


def main(argv: list[str]) -> int:
    """Run one mode and print its result."""
    if argv[0] == "peak":
        measure = peak_tracker if argv[1] == "tracker" else peak_peer
        print(json.dumps(measure(argv[2], argv[3])))
    else:
        print(peer_read(argv[1], argv[2]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
