"""`Tracker`, the one way in for the command line and for Python users: opening a
database, and the parts it is made of (writes, queries, views, integrity)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from tracker.errors import DatabaseError
from tracker.service.admin import Admin, _engine
from tracker.service.views import Views
from tracker.service.writes import Writes
from tracker.store import urls
from tracker.store.log import Clock, EventStore, utcnow
from tracker.store.replica import MAX_LAG, WAIT

if TYPE_CHECKING:
    from tracker.store.replica import Replica, Server


class Opened(msgspec.Struct, frozen=True):
    """A tracker, and whether opening it loaded the shipped record into an empty default."""

    tracker: Tracker
    loaded_record: bool


class Tracker(Views, Writes, Admin):
    """An event store with the questions users ask of it."""

    @classmethod
    def open(
        cls,
        url: str | None = None,
        clock: Clock = utcnow,
        *,
        create: bool = True,
        read_url: str | None = None,
        replica_only: bool = False,
        wait: float = WAIT,
        max_lag: float = MAX_LAG,
    ) -> Tracker:
        """Open (and migrate) the database at `url`, or the embedded default; a SQLite file
        that does not exist is created only when `create` (the default always is).

        With `read_url`, a PostgreSQL streaming replica of the PostgreSQL primary at `url`:
        questions read the replica and are answered as of its latest replayed commit; writes
        go to the primary, and the reads after a write wait up to `wait` seconds for the
        replica to replay it. A replica that cannot be reached, or is more than `max_lag`
        seconds behind, or has not replayed the write in time, leaves the read to the primary
        (`read_notes` says why) or, with `replica_only`, fails it (see tracker.store.replica)."""
        return cls.open_reporting(
            url, clock, create=create, read_url=read_url, replica_only=replica_only,
            wait=wait, max_lag=max_lag,
        ).tracker  # fmt: skip

    @classmethod
    def open_reporting(
        cls,
        url: str | None = None,
        clock: Clock = utcnow,
        *,
        create: bool = True,
        read_url: str | None = None,
        replica_only: bool = False,
        wait: float = WAIT,
        max_lag: float = MAX_LAG,
    ) -> Opened:
        """Like `open`, and say whether the shipped record was loaded into an empty default
        (by this call: of several first users, one loads it)."""
        chosen, is_default = urls.resolve_url(url)
        if read_url is not None:
            replica = _replica(chosen, read_url, replica_only, wait, max_lag)
            return cls._open_with_replica(chosen, clock, replica, create=create)
        if replica_only:
            raise DatabaseError("replica only: name the replica to read (--read-db)")
        path = urls.sqlite_file(chosen)
        if path is not None and not create:
            # A read of a SQLite file at the current schema runs on sqlite3 alone: opening
            # SQLAlchemy would be most of a short command's time.
            store = EventStore.reading_sqlite(path, lambda: _engine(url, create=False), clock)
            if store is not None:
                return Opened(cls(store), loaded_record=False)
        from tracker.store import engines

        new = path if path is not None and not path.exists() else None
        engine = engines.create_engine(chosen, create=create or is_default, make_folder=is_default)
        tracker = cls(EventStore(engine, clock), new)
        try:
            engines.ensure_schema(engine)
            loaded = is_default and tracker.store.is_empty() and tracker._load_record()
        except BaseException:
            tracker.close(discard=True)
            raise
        return Opened(tracker, loaded)

    @classmethod
    def _open_with_replica(
        cls, url: str, clock: Clock, replica: Replica, *, create: bool
    ) -> Opened:
        """A tracker on a PostgreSQL primary that reads a replica. A replica at the schema
        the code expects tells it so: opening then needs nothing of the primary, which reads
        and writes reach only when they need it."""
        from tracker.store import engines

        engine = engines.create_engine(url, create=create)
        tracker = cls(EventStore(engine, clock, replica))
        try:
            if not replica.at_schema(urls.SCHEMA_REVISION):
                engines.ensure_schema(engine)
        except BaseException:
            tracker.close()
            raise
        return Opened(tracker, loaded_record=False)

    @property
    def read_from(self) -> Server | None:
        """The server that answered the latest read, "replica" or "primary"; None without a
        replica, or before the first read."""
        return None if self.store.replica is None else self.store.replica.served

    @property
    def read_notes(self) -> list[str]:
        """A line each time the reads' server changed for a reason: the replica could not be
        reached, was behind, had not (or had) replayed a write of this tracker..."""
        return [] if self.store.replica is None else list(self.store.replica.notes)

    def _load_record(self) -> bool:
        """Load the shipped record; True when this call created it. Its files are written
        one transaction each, so of several first users another may write some of its
        amendment files (the same events): the one that loaded it is the one whose write
        created the agreement."""
        results = self.import_files(sorted(urls.bundled("record").glob("*.yaml")))
        return any(r.written and r.version == r.written for r in results)


def _replica(primary: str, url: str, only: bool, wait: float, max_lag: float) -> Replica:
    """The replica at `url`, for reads of the primary at `primary`; both must be PostgreSQL."""
    from tracker.store import engines
    from tracker.store.replica import CONNECT_TIMEOUT, Replica

    if not url.strip():
        raise DatabaseError("the read replica's URL is empty")
    if not urls.is_postgresql(url):
        raise DatabaseError(
            f"the read replica must be a PostgreSQL database (postgresql://...), not "
            f"{engines.shown(url)!r}"
        )
    if not urls.is_postgresql(primary):
        raise DatabaseError(
            f"a read replica needs a PostgreSQL primary; the database is {engines.shown(primary)!r}"
        )
    if wait < 0 or max_lag < 0:
        raise DatabaseError("the replica's wait and largest lag are seconds, not negative")
    engine = engines.create_engine(url, create=False, connect_timeout=CONNECT_TIMEOUT)
    return Replica(engine, only=only, wait=wait, max_lag=max_lag)
