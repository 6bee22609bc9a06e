"""What `tracker verify` prints: the damaged rows, each agreement's head, the digest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tracker.core.text import visible
from tracker.errors import IntegrityError

if TYPE_CHECKING:
    from tracker.service import Verification


def report_verification(result: Verification, against: Path | None) -> None:
    """Print each problem, then the heads and the digest; raise when anything is wrong."""
    for problem in result.problems:
        click.echo(problem)
    for head in result.heads.heads:
        click.echo(
            f"head {visible(head.agreement)} version {head.version} {visible(head.hash)} "
            f"sources {head.sources} {visible(head.sources_hash)}"
        )
    click.echo(f"digest {result.heads.digest()}")
    if result.problems:
        raise IntegrityError(
            f"{len(result.problems)} damaged or missing rows; the log was changed behind our back"
        )
    click.echo(
        f"{result.events} events and {result.sources} sources checked; hash chains intact"
        + (f"; the heads in {against} found" if against is not None else ""),
        err=True,
    )
