"""The statements the store's reads and writes run, by table, each with what it reads or
writes; the modules that run them (log, terms, snapshots, sources, integrity, guards) hold
none. (Connection set-up and migrations, in engines and driver, and the guards' triggers,
which the migrations create too, keep theirs beside what they tune.) The SQL is
written with `:name` parameters (see tracker.store.driver), `{ids}` for a list of ids
(`Cursor.filled`), and `{where}` or other `{...}` for the parts filled per database or per
question. A statement that uses another is defined after it: sources, then snapshots (which
an append's first read asks about), events, the term index, the checks, the guards."""

from __future__ import annotations

import functools

from tracker.core.events import CORRECTION_TYPES

# ---- sources: each agreement's sources, chained by seq.
SOURCE_COLUMNS = "agreement, id, title, publisher, url, published, file, derived_from, text, sha256"
SOURCE_READ = f"SELECT {SOURCE_COLUMNS} FROM sources WHERE agreement = :agreement ORDER BY id"
# The sources of an agreement some events cite, by id (what checking their citations reads).
SOURCES_CITED = (
    f"SELECT {SOURCE_COLUMNS} FROM sources WHERE agreement = :agreement AND id IN ({{ids}})"
)
SOURCE_LAST = "SELECT seq, hash FROM sources WHERE agreement = :agreement ORDER BY seq DESC LIMIT 1"
SOURCE_ROW = (*SOURCE_COLUMNS.split(", "), "seq", "prev_hash", "hash")
SOURCE_INSERT = (
    f"INSERT INTO sources ({', '.join(SOURCE_ROW)})"
    f" VALUES ({', '.join(f':{c}' for c in SOURCE_ROW)})"
)


# ---- snapshots: an agreement's fold at a version.
# The snapshot row with the hash and moment of the event at its version (both primary-key or
# unique-index lookups).
SNAPSHOT_READ = (
    "SELECT s.version, s.cutoff, s.format, s.body, s.digest, e.hash, e.recorded_at"
    " FROM snapshots s JOIN events e ON e.agreement = s.agreement AND e.version = s.version"
    " WHERE s.agreement = :agreement"
)
SNAPSHOT_VERSION = "SELECT version FROM snapshots WHERE agreement = :agreement"
SNAPSHOT_HEAD_HASH = "SELECT hash FROM events WHERE agreement = :agreement AND version = :version"
SNAPSHOT_DELETE = "DELETE FROM snapshots WHERE agreement = {}"
SNAPSHOT_INSERT = (
    "INSERT INTO snapshots (agreement, version, cutoff, format, body, digest) VALUES ({})"
)


@functools.cache
def snapshot_tail_sql(until: bool, known_at: bool) -> str:
    """The events after a version, by version: optionally only those effective by a date
    (and every retraction and correction), and recorded by a moment."""
    sql = (
        "SELECT payload, type, schema_version, position, version, recorded_at, effective"
        " FROM events WHERE agreement = :agreement AND version > :after"
    )
    if until:
        amendments = ", ".join(f"'{t}'" for t in CORRECTION_TYPES)
        sql += f" AND (effective <= :until OR type IN ({amendments}))"
    if known_at:
        sql += " AND recorded_at <= :known_at"
    return sql + " ORDER BY version"


SNAPSHOT_STORED = "SELECT agreement, version, cutoff, format, body, digest FROM snapshots{where}"
SNAPSHOT_LOG_UPTO = (
    "SELECT payload, type, schema_version, position, version, recorded_at FROM events"
    " WHERE agreement = :agreement AND version <= :version ORDER BY version"
)


# ---- events: the log.
# The columns of an events row, in the order the log writes them (`tracker.store.log.Row`).
EVENT_ROW = ("id", "agreement", "version", "type", "schema_version", "effective", "announced",
             "target", "recorded_at", "payload", "hash", "position", "hash_version")  # fmt: skip
EVENTS_INSERT_SQLITE = (
    f"INSERT INTO events ({', '.join(EVENT_ROW)}) VALUES ({', '.join('?' * len(EVENT_ROW))})"
)
# Reads and the append's lookups, in SQL both databases take, run on the driver's own cursor
# (see tracker.store.driver).
HEAD = "SELECT version, hash FROM events WHERE agreement = :agreement ORDER BY version DESC LIMIT 1"
# What an append reads first, in one statement (a round trip each costs PostgreSQL more than
# the lookups): the agreement's head (last version and its hash); its creation date; the last
# position and recorded_at in the database, of the last row by position (the primary key's
# index, not a scan: recorded_at increases with position, so its recorded_at is the latest);
# the version of the agreement's snapshot; and how many of the first ids appended are stored
# in the agreement (the events are read only when some are). Only the last position and
# recorded_at are of the whole log (along `ix_events_position`): they give the append its
# place in the one order of the log.
AROUND = (
    "SELECT (SELECT version FROM events WHERE agreement = :agreement"
    " ORDER BY version DESC LIMIT 1),"
    " (SELECT hash FROM events WHERE agreement = :agreement ORDER BY version DESC LIMIT 1),"
    " (SELECT effective FROM events WHERE agreement = :agreement AND version = 1),"
    " (SELECT position FROM events ORDER BY position DESC LIMIT 1),"
    " (SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1),"
    f" ({SNAPSHOT_VERSION}),"
    " (SELECT count(*) FROM events WHERE agreement = :agreement AND id IN ({ids}))"
)
# An agreement's events by id (ids are unique within an agreement, not across agreements).
STORED = (
    "SELECT id, payload, type, schema_version FROM events"
    " WHERE agreement = :agreement AND id IN ({ids})"
)
KNOWN = "SELECT id, type, effective FROM events WHERE agreement = :agreement AND id IN ({ids})"
READ_COLUMNS = "payload, type, schema_version, position, version, recorded_at"
AGREEMENTS = "SELECT DISTINCT agreement FROM events WHERE type = 'agreement.created'"
CREATIONS = (
    "SELECT payload, type, schema_version, position FROM events WHERE type = 'agreement.created'"
)
# The agreements holding an event of this id (a scan: only `retract` without an agreement
# asks), and whether one agreement holds it.
AGREEMENTS_OF = "SELECT DISTINCT agreement FROM events WHERE id = :id ORDER BY agreement"
HOLDS = "SELECT 1 FROM events WHERE agreement = :agreement AND id = :id"
ANY = "SELECT position FROM events LIMIT 1"
AFTER = f"SELECT {READ_COLUMNS} FROM events WHERE position > :after ORDER BY position LIMIT :limit"
# A replay that folds the log as it comes (see `Replay`) reads: the retractions and corrections,
# which are the rows with a target, along the index of the agreement's targets (`target > ''`
# lets the planner take it); the facts corrections target; and the facts by the first day of
# their dates, along the agreement's index. Its statements are several, so each stops at the
# agreement's last position when it began (`LAST`, along the primary key: positions grow with
# versions): an append committed meanwhile is not half seen (positions commit in order on
# both databases).
LAST = "SELECT position FROM events WHERE agreement = :agreement ORDER BY version DESC LIMIT 1"
REPLAY_CORRECTIONS = (
    f"SELECT {READ_COLUMNS} FROM events WHERE agreement = :agreement AND target > ''"
    " AND type IN ({types}) AND recorded_at <= :known_at AND position <= :upto"
)
BY_ID = f"SELECT {READ_COLUMNS} FROM events WHERE agreement = :agreement AND id IN ({{ids}})"
FACTS = (
    "SELECT payload, type, schema_version, position FROM events WHERE agreement = :agreement"
    " AND effective <= :until AND recorded_at <= :known_at AND position <= :upto"
    " AND type NOT IN ({types}) ORDER BY effective, position"
)
# What the reach of a record reads (see tracker.core.coverage), each along an index: its
# reviews (their own index) and the events with a target (retractions and corrections, which
# may change what counts: the target's index), decoded, and kept when recorded by the moment
# asked about; the fact that starts last; and, by their written dates alone (read by the
# database, not decoded), the facts of imprecise date that may end later: those within a year
# before it that start on the first of a month (a month or a year) or are open ("on or
# before"). A fact of an exact day ends on the day it starts.
REVIEWS = (
    f"SELECT {READ_COLUMNS} FROM events WHERE type = 'record.reviewed' AND agreement = :agreement"
)
RETRACTIONS = f"SELECT {READ_COLUMNS} FROM events WHERE agreement = :agreement AND target > ''"
MARKED = f"{REVIEWS} UNION ALL {RETRACTIONS}"  # both in one round trip
# For many agreements at once (`terms`): their reviews, and every retraction and correction.
REVIEWS_AMONG = f"SELECT {READ_COLUMNS} FROM events WHERE type = 'record.reviewed'" + (
    " AND agreement IN ({ids})"
)
ALL_RETRACTIONS = f"SELECT {READ_COLUMNS} FROM events WHERE target > ''"
STARTS_LAST = (
    "SELECT id, {written}, position, effective FROM events WHERE agreement = :agreement"
    " AND recorded_at <= :known_at AND target IS NULL ORDER BY effective DESC, position DESC"
    " LIMIT 1"
)
IMPRECISE = (  # two statements, so that each reads a range of the agreement's index
    "SELECT id, {written}, position FROM events WHERE agreement = :agreement"
    " AND effective >= :since AND effective <= :start AND {first_of_month}"
    " AND recorded_at <= :known_at AND target IS NULL AND length({written}) <> 10"
    " UNION ALL SELECT id, {written}, position FROM events WHERE agreement = :agreement"
    " AND effective = :open AND recorded_at <= :known_at AND target IS NULL"
)
DIALECT = {
    True: {
        "written": "json_extract(payload, '$.effective')",
        "first_of_month": "substr(effective, 9, 2) = '01'",
    },
    False: {
        "written": "CAST(payload AS json) ->> 'effective'",
        "first_of_month": "extract(day from effective) = 1",
    },
}


@functools.cache
def read_sql(until: bool, known_at: bool) -> str:
    """The statement reading one agreement, by shape: by version (which the unique index
    orders), optionally up to a date (plus every retraction and correction and what they
    target) and as known at a moment."""
    sql = f"SELECT {READ_COLUMNS} FROM events WHERE agreement = :agreement"
    if until:
        corrections = ", ".join(f"'{t}'" for t in CORRECTION_TYPES)
        sql += (
            f" AND (effective <= :until OR type IN ({corrections}) OR id IN (SELECT target"
            " FROM events WHERE agreement = :agreement AND type = 'event.corrected'))"
        )
    if known_at:
        sql += " AND recorded_at <= :known_at"
    return sql + " ORDER BY version"


# ---- term_events: the term index.
TERM_COLUMNS = ("term", "position", "agreement", "kind", "first", "last")
TERM_INSERT_SQLITE = (
    f"INSERT INTO term_events ({', '.join(TERM_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(TERM_COLUMNS))})"
)
TERM_DELETE = "DELETE FROM term_events WHERE agreement = :agreement AND position IN ({ids})"
# A group's members, up the chains of retractions and corrections and then down them (all
# within one agreement).
TERM_TARGETS = "SELECT id, target FROM events WHERE agreement = :agreement AND id IN ({ids})"
TERM_MEMBER = (
    "SELECT payload, type, schema_version, position, version, recorded_at, id FROM events"
    " WHERE agreement = :agreement"
)
TERM_MEMBERS = TERM_MEMBER + " AND id IN ({ids})"
TERM_AIMED = TERM_MEMBER + " AND target IN ({ids})"

# One term in every agreement, as `terms` reads it: first the stored answers (see
# tracker.store.answers), each agreement's term.set that alone answers the term from its day
# on, read where it does on `as_of`, as known at `known_at`; then, for the agreements without
# one, the events that replaying the term needs, as follows.
# One term's events that can matter on `as_of`, as known at `known_at`: every event of a
# group with retractions or corrections, and each fact alone in its group that is dated by
# `as_of` (at least possibly) and not surely before the last term.set applied by `as_of`,
# which replaces whatever replay applied before it; then the rows of each agreement's
# creation group, without their events (`read` reads them only for a creation that is not
# alone in its group), when its creation can count: only a change that may have come by
# `as_of` needs it (nothing is possible before the agreement exists), so only an agreement
# with a group or a fact whose dates run across `as_of` has them read. Days are day numbers.
# The last term.set of each agreement comes from one pass over the term's rows in index
# order (no sort); then each agreement's rows are looked up in the index, and only the ones
# needed are read from the log. It stops at the last position stored when the question began
# (`TERM_LATEST`, read first): an append committed meanwhile is not seen. `{known}` filters by
# when the events were recorded, unless all of them were by then.
# In one statement, so that the answers and the replays read the same rows.
TERM_READ = """
WITH answers AS (
    SELECT l.agreement,
        CASE WHEN l.day <= :as_of AND l.position <= :upto{answer_known} THEN l.position END
            AS answer
    FROM term_latest AS l
    WHERE l.term = :term
), sets AS (
    SELECT x.agreement,
        max(CASE WHEN x.kind = 'set' AND x.last <= :as_of THEN x.last END) AS last_set,
        max(CASE WHEN x.kind = 'group' OR (x.first <= :as_of AND x.last > :as_of) THEN 1 END)
            AS unsure
    FROM answers AS a CROSS JOIN term_events AS x
    WHERE a.answer IS NULL AND x.term = :term AND x.agreement = a.agreement
        AND x.position <= :upto{known}
    GROUP BY x.agreement
)
SELECT a.agreement, e.payload, e.type, e.schema_version, e.position, e.version, e.recorded_at,
    NULL
FROM answers AS a JOIN events AS e ON e.agreement = a.agreement AND e.position = a.answer
UNION ALL
SELECT x.agreement, e.payload, e.type, e.schema_version, x.position, e.version, e.recorded_at,
    x.first
FROM sets AS s CROSS JOIN term_events AS x
    JOIN events AS e ON e.agreement = x.agreement AND e.position = x.position
WHERE x.term = :term AND x.agreement = s.agreement AND x.position <= :upto{known}
    AND (x.kind = 'group' OR (x.first <= :as_of AND (s.last_set IS NULL OR x.last >= s.last_set)))
UNION ALL
SELECT x.agreement, NULL, NULL, NULL, x.position, NULL, NULL, x.first
FROM sets AS s CROSS JOIN term_events AS x
WHERE s.unsure = 1
    AND x.term = :created AND x.agreement = s.agreement AND x.position <= :upto{known}
"""
TERM_KNOWN = (
    " AND (SELECT recorded_at FROM events"
    " WHERE agreement = x.agreement AND position = x.position) <= :known_at"
)
TERM_ANSWER_KNOWN = TERM_KNOWN.replace("x.", "l.")
TERM_LATEST = "SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1"
# The log's events before a position, from the last back (whose agreements took an event
# after a moment: recorded_at grows with position).
RECORDED_BEFORE = (
    "SELECT position, agreement, recorded_at FROM events WHERE position < :before"
    " ORDER BY position DESC LIMIT :limit"
)
TERM_EVENTS = (
    "SELECT agreement, payload, type, schema_version, position, version, recorded_at"
    " FROM events WHERE position IN ({ids})"
)


# The term keys indexed (of one agreement, or of all), by events recorded by `known_at`.
TERM_KEYS = """
SELECT DISTINCT x.term FROM term_events AS x
    JOIN events AS e ON e.agreement = x.agreement AND e.position = x.position
WHERE x.term <> :created{agreement}{known} ORDER BY x.term
"""


# One agreement's events of one term that decide whether it is in force from :since on (see
# tracker.core.in_force): its groups, and its sets and ends not surely before the last sure
# term.set by :since; with the amendments and affirmations from :stranded on.
TERM_PRESENCE = """
SELECT e.payload, e.type, e.schema_version, e.position, e.version, e.recorded_at
FROM term_events AS x CROSS JOIN events AS e
WHERE e.agreement = x.agreement AND e.position = x.position
    AND x.term = :term AND x.agreement = :agreement AND (x.kind = 'group'
    OR (x.kind IN ('set', 'end') AND x.last >= (
        SELECT coalesce(max(s.last), 0) FROM term_events AS s
        WHERE s.term = :term AND s.agreement = :agreement AND s.kind = 'set'
            AND s.last <= :since))
    OR (x.kind = 'fact' AND x.last >= :stranded))
"""

TERM_CHECKED = (
    "SELECT payload, type, schema_version, position, version, recorded_at FROM events{where}"
    " ORDER BY position"
)
TERM_STORED = f"SELECT {', '.join(TERM_COLUMNS)} FROM term_events{{where}}"


# ---- spellings (SQLite only): SQLite keeps a date or moment as the text it is given, and its
# reads compare and order that text, while Python reads other spellings of the same value
# (`2025-W09-6`, `20261206T112635.037639`) and the hashes cover the value. A row whose
# effective or recorded_at is not in the shape the store writes them (ASCII digits in fixed
# places, as text, nothing after: then the text orders as the value does) is one that a
# filter or a sort on that text could leave out or misplace. A partial index holds just those
# rows (`ix_events_misspelled`, none in a sound log; its predicate is `NOT (WRITTEN)`), so
# that reads can ask for them by one lookup and refuse; without the index they still find
# them, by a scan. (announced is never filtered on; the term index's days are integers.)
def _written(column: str, shape: str) -> str:
    """Whether a column holds text of exactly this shape (each 0 a digit): its length in
    bytes, as GLOB would stop at a NUL."""
    pattern = shape.replace("0", "[0-9]")
    return (
        f"typeof({column}) = 'text' AND length(CAST({column} AS BLOB)) = {len(shape)}"
        f" AND {column} GLOB '{pattern}'"
    )


WRITTEN = (
    f"{_written('effective', '0000-00-00')}"
    f" AND {_written('recorded_at', '0000-00-00 00:00:00.000000')}"
)
# The first such row (of one agreement, `{where}` = "agreement = :agreement AND ", or of any).
MISSPELLED = (
    f"SELECT position, effective, recorded_at FROM events WHERE {{where}}NOT ({WRITTEN}) LIMIT 1"
)


# ---- term_latest and reaches: stored answers (see tracker.store.answers).
LATEST_COLUMNS = ("term", "agreement", "position", "day", "reach")
LATEST_READ = (
    "SELECT term, position, day, reach FROM term_latest"
    " WHERE agreement = :agreement AND term IN ({ids})"
)
LATEST_PUT = (
    f"INSERT INTO term_latest ({', '.join(LATEST_COLUMNS)}) VALUES ({{marks}})"
    " ON CONFLICT (term, agreement) DO UPDATE"
    " SET position = excluded.position, day = excluded.day, reach = excluded.reach"
)
LATEST_STORED = f"SELECT {', '.join(LATEST_COLUMNS)} FROM term_latest{{where}}"
# An append's latest fact goes in, unless it ends before the stored one (new positions are
# later); a NULL on either side (a review, retraction or correction) stays NULL.
REACH_PUT = """
INSERT INTO reaches (agreement, position, day) VALUES ({marks})
ON CONFLICT (agreement) DO UPDATE SET
    position = CASE WHEN reaches.position IS NULL OR excluded.position IS NULL THEN NULL
        WHEN excluded.day >= reaches.day THEN excluded.position ELSE reaches.position END,
    day = CASE WHEN reaches.position IS NULL OR excluded.position IS NULL THEN NULL
        WHEN excluded.day >= reaches.day THEN excluded.day ELSE reaches.day END
"""
REACH_READ = (
    "SELECT r.agreement, e.id, r.day, r.position FROM reaches AS r"
    " JOIN events AS e ON e.agreement = r.agreement AND e.position = r.position"
    " WHERE r.agreement IN ({ids}) AND r.position <= :upto"
)
REACH_STORED = "SELECT agreement, position, day FROM reaches{where}"


# ---- checks (`tracker verify`): every row of the chained tables, in chain order.
CHECK_EVENT_COLUMNS = ("position", *(c for c in EVENT_ROW if c != "position"))
CHECK_EVENTS = (
    f"SELECT {', '.join(CHECK_EVENT_COLUMNS)} FROM events{{where}}"
    " ORDER BY agreement, version, position"
)
# The events whose position another event has too (none in a sound log: appends give each a
# position of its own under their write lock, which no key enforces, so that the log can be
# distributed by agreement), along the position index.
CHECK_SHARED_POSITIONS = (
    "SELECT position, agreement, id FROM events WHERE position IN"
    " (SELECT position FROM events GROUP BY position HAVING count(*) > 1)"
    " ORDER BY position, agreement, version"
)
CHECK_SOURCE_COLUMNS = ("agreement", "id", "title", "publisher", "url", "published", "file",
                        "derived_from", "text", "sha256", "seq", "prev_hash", "hash")  # fmt: skip
CHECK_SOURCES = (
    f"SELECT {', '.join(CHECK_SOURCE_COLUMNS)} FROM sources{{where}} ORDER BY agreement, seq"
)


# ---- guards: the triggers that keep the chained tables append-only.
GUARDS_SQLITE_FOUND = "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"
# Each trigger of the schema in use: its table, type, whether it fires (enabled, no WHEN
# condition), and the name and body of the function it runs.
GUARDS_POSTGRESQL_FOUND = """
SELECT t.tgname, c.relname, t.tgtype, t.tgenabled IN ('O', 'A') AND t.tgqual IS NULL,
    p.proname, p.prosrc
FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid
    JOIN pg_namespace AS n ON n.oid = c.relnamespace JOIN pg_proc AS p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal AND n.nspname = current_schema()
"""
GUARD_BODY = "BEGIN RAISE EXCEPTION '{table} are append-only: % refused', TG_OP; END"
