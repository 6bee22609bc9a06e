"""Pausing the garbage collector around bulk work that creates many objects and no cycles.

A process-wide setting, which a library must not change in its host's process: the projector
and the term index no longer use it, as it was measured to save nothing there (the command
line freezes its start-up objects once, which is where collections cost); it goes once the
service and the store stop calling it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block with the cyclic collector off: building 100,000 decoded events otherwise
    makes it rescan every live object many times over, for no garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the block built would otherwise all be scanned by the first collection
            # after it; moved straight to the oldest generation, it waits for a full one.
            gc.freeze()
            gc.unfreeze()
            gc.enable()
