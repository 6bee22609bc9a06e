"""Reads on a PostgreSQL streaming replica: which server each read goes to, and the moment a
question read there is answered as of. Writes always go to the primary.

A read goes to the replica when it is reachable, is in recovery, has replayed the latest
write of its tracker (waited for, up to `wait` seconds), is not more than `max_lag` seconds
behind, and has replayed past the moment the question is asked as of; else to the primary,
with one line saying why (or, replica only, that line as an error). A question that names no
moment is answered as of the replica's latest replayed commit: the primary's time of that
commit, `pg_last_xact_replay_timestamp()`, not the clock.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal

import msgspec

from tracker.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

WAIT = 5.0  # seconds a read waits for the replica to replay its tracker's latest write
MAX_LAG = 30.0  # seconds behind beyond which the replica is not read
RETRY = 10.0  # seconds a replica that could not be reached is left alone
CONNECT_TIMEOUT = 2  # seconds to reach the replica (libpq's unit; 2 is its least)
_POLL = 0.005  # seconds between two looks at the replica's replay position

# One round trip: whether the server is a replica; how far it has replayed (its WAL position,
# and the time the primary committed the latest transaction it replayed, in UTC); and how far
# behind it is: nothing while it has replayed all the WAL it received, else the age of that
# commit.
STATUS = """
SELECT pg_is_in_recovery(),
       pg_last_wal_replay_lsn()::text,
       pg_last_xact_replay_timestamp() AT TIME ZONE 'UTC',
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())
       END::float8
"""
# The primary's WAL position after a commit: a replica that has replayed up to it holds it.
WAL_POSITION = "SELECT pg_current_wal_lsn()::text"

Server = Literal["replica", "primary"]


class Status(msgspec.Struct, frozen=True):
    """What the replica said of itself (see STATUS)."""

    in_recovery: bool
    replayed: int  # its replay position, as a number (0 when it is not in recovery)
    at: dt.datetime | None  # the primary's time of its latest replayed commit; None: none yet
    lag: float | None  # seconds behind; None when it cannot tell


def position(text: str) -> int:
    """A WAL position (`16/B374D848`) as a number that orders as the positions do."""
    high, _, low = text.partition("/")
    return (int(high, 16) << 32) + int(low, 16)


class Replica:
    """Where a store's reads go: a replica's engine, the rules of when it answers, the latest
    write it must have replayed, and which server answered the latest read."""

    def __init__(
        self,
        engine: Engine,
        *,
        only: bool = False,
        wait: float = WAIT,
        max_lag: float = MAX_LAG,
    ) -> None:
        from tracker.store.engines import shown

        self.engine = engine
        self.only, self.wait, self.max_lag = only, wait, max_lag
        self.name = shown(engine.url.render_as_string(hide_password=False)).replace("+psycopg", "")
        self.served: Server | None = None  # which server answered the latest read
        self.notes: list[str] = []  # a line each time the reason for the server changed
        self._kind: str | None = None  # the reason of the latest read's server
        self._written: str | None = None  # the latest write, until the replica has replayed it
        self._deadline: float | None = None  # when reads stop waiting for it
        self._down_until = 0.0
        self._down = ""  # what reaching it last said
        self._local = threading.local()  # per thread: the moment asked; reads on the primary

    def wrote(self, wal: str) -> None:
        """A write committed on the primary at WAL position `wal`: the next reads wait for
        the replica to replay it."""
        if self._written is None or position(wal) > position(self._written):
            self._written, self._deadline = wal, None

    def at_schema(self, revision: str) -> bool:
        """Whether the replica can be reached and is at the schema `revision` (then opening a
        tracker need not ask the primary)."""
        import sqlalchemy as sa

        try:
            with self.engine.connect() as conn:
                found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
        except sa.exc.OperationalError as e:
            self._unreachable(e)  # said once; the reads then go to the primary at once
            return False
        except sa.exc.DBAPIError:
            return False
        return found == [(revision,)]

    @contextmanager
    def on_primary(self) -> Iterator[None]:
        """Reads in this block go to the primary, silently: what a write checks first must be
        read where it is written."""
        self._local.primary = getattr(self._local, "primary", 0) + 1
        try:
            yield
        finally:
            self._local.primary -= 1

    def moment(self, known_at: dt.datetime | None, clock: Callable[[], dt.datetime]) -> dt.datetime:
        """The moment a question is answered as of: `known_at` when given (the replica then
        answers only once it has replayed past it); else, when the replica would answer,
        its latest replayed commit's time, and otherwise the clock (and the question's reads
        stay on the primary until the replica has replayed past that moment)."""
        if known_at is not None:
            self._local.asked = (known_at, True)
            return known_at
        self._local.asked = None
        chosen = self._choose()
        if chosen is None:
            now = clock()
            self._local.asked = (now, False)
            return now
        conn, status = chosen
        conn.close()
        assert status.at is not None  # a replica that cannot say is not chosen
        self._local.asked = (status.at, False)
        return status.at

    @contextmanager
    def reading(self, primary: Engine) -> Iterator[Connection]:
        """A connection for a read: the replica's when it should answer, else the primary's."""
        chosen = self._choose()
        if chosen is None:
            with primary.connect() as conn:
                yield conn
            return
        with chosen[0] as conn:
            yield conn

    def _choose(self) -> tuple[Connection, Status] | None:
        """The replica's connection and status when it should answer this read; None when
        the primary should (the reason noted, or raised when reads are replica only)."""
        import sqlalchemy as sa

        if getattr(self._local, "primary", 0):
            return None
        if time.monotonic() < self._down_until:
            self._primary("down", self._down)
            return None
        try:
            conn = self.engine.connect()
        except sa.exc.DBAPIError as e:
            self._unreachable(e)
            return None
        try:
            status = self._status(conn)
            if status.in_recovery and self._written is not None:
                status = self._replayed(conn, status, position(self._written))
            reason = self._reason(status)
        except sa.exc.DBAPIError as e:
            conn.invalidate()
            conn.close()
            self._unreachable(e)
            return None
        if reason is not None:
            conn.close()
            self._primary(*reason)
            return None
        if self._written is None:
            self._serve("replica", "replica", None)
        else:
            line = f"the replica {self.name} has replayed the write (WAL {self._written})"
            self._serve("replica", "wrote", f"{line}; read the replica")
            self._written = self._deadline = None
        return conn, status

    def _status(self, conn: Connection) -> Status:
        import sqlalchemy as sa

        in_recovery, replayed, at, lag = conn.execute(sa.text(STATUS)).one()
        return Status(bool(in_recovery), position(replayed) if replayed else 0, at, lag)

    def _reason(self, status: Status) -> tuple[str, str, bool] | None:
        """Why the primary must answer rather than the replica: the kind of reason, its line,
        and whether it goes unsaid; None when the replica may answer."""
        name = self.name
        if not status.in_recovery:
            return "not a replica", f"{name} is not a replica (it is not in recovery)", False
        if self._written is not None and status.replayed < position(self._written):
            line = f"the replica {name} had not replayed the write (WAL {self._written})"
            return "write", f"{line} after {self.wait:g} s", False
        if status.at is None:
            line = f"the replica {name} has replayed no commit since it started"
            return "unknown", f"{line}, so it cannot say how current it is", False
        if status.lag is not None and status.lag > self.max_lag:
            line = f"the replica {name} is behind: it has WAL still to replay, and replayed"
            limit = f"more than the {self.max_lag:g} s allowed"
            return "behind", f"{line} its latest commit {status.lag:.1f} s ago ({limit})", False
        asked = getattr(self._local, "asked", None)
        if asked is not None and asked[0] > status.at:
            line = f"the replica {name} has replayed up to {_shown(status.at)}"
            # A moment the question took from the primary's clock (the replica would not
            # answer then): its reads stay there, as already said.
            return "moment", f"{line}, not up to the moment asked, {_shown(asked[0])}", not asked[1]
        return None

    def _replayed(self, conn: Connection, status: Status, written: int) -> Status:
        """The replica's status once it has replayed up to `written`, or once this write's
        wait (`wait` seconds from the first read after it) is over."""
        if self._deadline is None:
            self._deadline = time.monotonic() + self.wait
        while status.replayed < written and time.monotonic() < self._deadline:
            time.sleep(_POLL)
            status = self._status(conn)
        return status

    def _unreachable(self, error: Exception) -> None:
        detail = str(getattr(error, "orig", None) or error).strip().splitlines()
        self._down_until = time.monotonic() + RETRY
        self._down = f"the replica {self.name} cannot be reached ({detail[0] if detail else error})"
        self._primary("down", self._down)

    def _primary(self, kind: str, line: str, unsaid: bool = False) -> None:
        """The primary answers, for the reason `line` says (unless `unsaid`)."""
        if self.only:
            raise DatabaseError(f"{line}; reads are replica only, so the primary is not read")
        self._serve("primary", kind, None if unsaid else f"{line}; read the primary")

    def _serve(self, server: Server, kind: str, note: str | None) -> None:
        """Remember which server answered; note the line when the reason changed."""
        self.served = server
        if kind != self._kind and note is not None:
            self.notes.append(note)
        self._kind = kind


def _shown(moment: dt.datetime) -> str:
    return f"{moment.isoformat()}Z"
