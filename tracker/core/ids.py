"""Event ids derived from content, for events recorded without one."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

# Hex digits of the content's SHA-256 in an id: with 16 (64 bits) two different events of
# one database collide with odds of about one in 4 x 10^7 among a million events; should they
# all the same, the longer ids are tried in turn, and the second event is recorded, not refused.
LENGTHS = (16, 24, 32, 64)


def derived_ids(data: Mapping[str, Any]) -> list[str]:
    """An event's ids from its date, type and content, shortest first: the same content
    gives the same ids, so recording it again finds it already present."""
    content = json.dumps(data, sort_keys=True, default=str).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    when = re.sub(r"[^0-9A-Za-z]+", "-", str(data.get("effective"))).strip("-")
    kind = str(data.get("type")).replace(".", "-")
    return [f"{when}-{kind}-{digest[:n]}" for n in LENGTHS]
