"""tracker: an event-sourced agreement state tracker.

The public names are loaded on first use, so that `tracker --help` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tracker.core.events import event_from_dict
    from tracker.service import Tracker

__all__ = ["Tracker", "event_from_dict"]
_HOMES = {"Tracker": "tracker.service", "event_from_dict": "tracker.core.events"}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'tracker' has no attribute {name!r}")
