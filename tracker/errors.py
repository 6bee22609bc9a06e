"""The tracker's errors: each says what went wrong and what the user can do about it."""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the tracker reports to its user; the message is one line."""

    # Which of several batches appended together failed, when that is known.
    batch: int | None = None

    def located(self, where: str) -> TrackerError:
        """The same error, its message prefixed with where it happened (a file)."""
        self.args = (f"{where}: {self}", *self.args[1:])
        return self


class DatabaseError(TrackerError):
    """The database cannot be reached, or is not in a state the tracker can use."""


class DatabaseBusyError(DatabaseError):
    """Another writer held the database's write lock for longer than a writer waits for it
    (`tracker.store.urls.LOCK_TIMEOUT_MS`); nothing was written, and trying again may do."""


class DatabaseReadOnlyError(DatabaseError):
    """The database can be read but not written (its file, its folder, or the server's
    permissions); nothing was written."""


class NotFoundError(TrackerError):
    """An agreement, event, term or source that was asked for does not exist."""


class AmbiguousAgreementError(TrackerError):
    """AGREEMENT was omitted while the database holds zero or several agreements."""


class ConcurrencyError(TrackerError):
    """An append expected a version of the agreement other than the one stored."""

    def __init__(self, agreement: str, expected: int, actual: int) -> None:
        super().__init__(
            f"agreement {agreement!r} is at version {actual}, not the expected {expected}; "
            "read it again and retry"
        )
        self.agreement = agreement
        self.expected = expected
        self.actual = actual


class EventConflictError(TrackerError):
    """An event id is already used by an event with other content."""


class InvalidEventError(TrackerError):
    """An event is well formed but does not fit the log (wrong target, wrong agreement...)."""


class FileFormatError(TrackerError):
    """An agreement file cannot be read or does not follow the format."""


class IntegrityError(TrackerError):
    """Stored rows no longer match their hash chain: the log was changed behind our back."""
