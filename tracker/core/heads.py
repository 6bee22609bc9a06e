"""Heads: the last link of each agreement's chains, which a user keeps outside the database
(a head file, a git commit, an email) to catch truncation, deletion and re-chained forgeries;
and the head an exported agreement file carries. How a head file is written is
`tracker.files.heads`'s."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

import msgspec
from msgspec.structs import asdict

from tracker.core.events import Event, event_to_dict


class Head(msgspec.Struct, frozen=True):
    """One agreement's last event (version, hash) and last source (seq, hash)."""

    agreement: str
    version: int
    hash: str
    sources: int
    sources_hash: str


class Heads(msgspec.Struct, frozen=True):
    """Every agreement's head, by agreement id."""

    heads: tuple[Head, ...]

    def digest(self) -> str:
        """One hash of the whole database: every chain's head."""
        text = json.dumps([asdict(h) for h in self.heads], sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def only(self, agreement: str | None) -> Heads:
        """The heads of one agreement (all of them when it is None)."""
        if agreement is None:
            return self
        return Heads(tuple(h for h in self.heads if h.agreement == agreement))


def differences(
    kept: Heads,
    event_hashes: Mapping[tuple[str, int], str],
    source_hashes: Mapping[tuple[str, int], str],
    name: str,
) -> list[str]:
    """How the stored chains disagree with heads kept earlier: each kept head must still be
    in its chain (the chains may have grown since)."""
    problems = []
    for head in kept.heads:
        for what, at, digest, stored in (
            ("event version", head.version, head.hash, event_hashes),
            ("source seq", head.sources, head.sources_hash, source_hashes),
        ):
            problem = _difference(head.agreement, what, at, digest, stored, name)
            if problem is not None:
                problems.append(problem)
    return problems


def _difference(
    agreement: str,
    what: str,
    at: int,
    digest: str,
    stored: Mapping[tuple[str, int], str],
    name: str,
) -> str | None:
    if at == 0:
        return None
    found = stored.get((agreement, at))
    if found is None:
        last = max((n for a, n in stored if a == agreement), default=0)
        return (
            f"agreement {agreement!r}: {what} {at} in {name} is missing (the chain now ends "
            f"at {last}): rows were deleted"
        )
    if found != digest:
        return (
            f"agreement {agreement!r}: {what} {at} has another hash than in {name}: "
            "the chain was rewritten"
        )
    return None


def content_digest(events: Iterable[Event]) -> str:
    """A digest of events' content in log order, independent of when they were recorded: the
    head an agreement file carries, equal in every database that holds the same log."""
    digest = hashlib.sha256()
    for event in events:
        digest.update(json.dumps(event_to_dict(event), sort_keys=True).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def file_head_problem(
    name: str,
    agreement: str,
    version: int,
    digest: str,
    stored: Sequence[Event],
    written: Sequence[Event],
) -> str | None:
    """Why an agreement file's head disagrees with the stored log, if it does: the log up to
    the head must be the head's; a log shorter than the head must be the first events the file
    holds (`written`, in log order), which the import then completes."""
    if len(stored) >= version:
        if content_digest(stored[:version]) == digest:
            return None
    elif content_digest(stored) == content_digest(written[: len(stored)]):
        return None
    return (
        f"{name}: its head (version {version}) disagrees with the stored log of {agreement!r}: "
        "the file or the database holds another history"
    )
