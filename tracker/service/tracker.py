"""`Tracker`, the one way in for the command line and for Python users: opening a
database, and the parts it is made of (writes, queries, views, integrity)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from tracker.service.admin import Admin, _engine
from tracker.service.views import Views
from tracker.service.writes import Writes
from tracker.store import urls
from tracker.store.log import Clock, EventStore, utcnow

if TYPE_CHECKING:
    pass


class Opened(msgspec.Struct, frozen=True):
    """A tracker, and whether opening it loaded the shipped record into an empty default."""

    tracker: Tracker
    loaded_record: bool


class Tracker(Views, Writes, Admin):
    """An event store with the questions users ask of it."""

    @classmethod
    def open(cls, url: str | None = None, clock: Clock = utcnow, *, create: bool = True) -> Tracker:
        """Open (and migrate) the database at `url`, or the embedded default; a SQLite file
        that does not exist is created only when `create` (the default always is)."""
        return cls.open_reporting(url, clock, create=create).tracker

    @classmethod
    def open_reporting(
        cls, url: str | None = None, clock: Clock = utcnow, *, create: bool = True
    ) -> Opened:
        """Like `open`, and say whether the shipped record was loaded into an empty default
        (by this call: of several first users, one loads it)."""
        chosen, is_default = urls.resolve_url(url)
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

    def _load_record(self) -> bool:
        """Load the shipped record; True when this call created it. Its files are written
        one transaction each, so of several first users another may write some of its
        amendment files (the same events): the one that loaded it is the one whose write
        created the agreement."""
        results = self.import_files(sorted(urls.bundled("record").glob("*.yaml")))
        return any(r.written and r.version == r.written for r in results)
