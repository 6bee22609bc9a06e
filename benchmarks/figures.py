"""A measured figure beside the peer's and the limit's, its targets, and how it is shown."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

# How a figure compares with the peer's: a rate (higher is better, ratio tracker / peer), a
# time (lower is better, ratio peer / tracker: "times faster"), or a size (lower is better,
# ratio tracker / peer: "times the peer's size").
Kind = Literal["rate", "time", "size"]
RATIO_MEANING = {"rate": "x peer", "time": "x faster than peer", "size": "x peer's size"}


@dataclass(slots=True)
class Check:
    """One target: a value (a ratio or the figure itself) held against a bound."""

    what: str
    value: float | None
    op: Literal[">=", "<="]
    bound: float

    @property
    def status(self) -> str:
        """MET, NOT MET, or n/a when the value could not be measured."""
        if self.value is None:
            return "n/a"
        met = self.value >= self.bound if self.op == ">=" else self.value <= self.bound
        return "MET" if met else "NOT MET"

    def text(self) -> str:
        """The target, its measured value and status."""
        value = "-" if self.value is None else f"{self.value:,.2f}"
        return f"{self.what} {value} (target {self.op} {self.bound:g}) {self.status}"


@dataclass(slots=True)
class Figure:
    """One measurement: the tracker's figure, the peer's and the limit's on the same work."""

    name: str
    unit: str
    kind: Kind
    tracker: float | None
    peer: float | None = None
    limit: float | None = None
    limit_name: str = ""
    checks: list[Check] = field(default_factory=list)
    note: str = ""
    digits: int = 0

    @property
    def ratio(self) -> float | None:
        """The tracker against the peer, in the sense of RATIO_MEANING."""
        if not self.tracker or not self.peer:
            return None
        return self.peer / self.tracker if self.kind == "time" else self.tracker / self.peer

    @property
    def status(self) -> str:
        """MET when every target is met, NOT MET when one is not, else n/a."""
        statuses = {c.status for c in self.checks}
        if "NOT MET" in statuses:
            return "NOT MET"
        return "MET" if statuses == {"MET"} else "n/a"

    def show(self, value: float | None) -> str:
        """A value of this figure with its unit."""
        return "-" if value is None else f"{value:,.{self.digits}f} {self.unit}"

    def ratio_text(self) -> str:
        """The ratio to the peer with its meaning."""
        if self.ratio is None:
            return "-"
        if self.kind == "time" and self.ratio < 1:
            return f"{1 / self.ratio:.2f}x slower than peer"
        return f"{self.ratio:.2f}{RATIO_MEANING[self.kind]}"

    def line(self) -> str:
        """The figure as printed when measured."""
        limit = f"{self.show(self.limit)} ({self.limit_name})" if self.limit_name else "-"
        parts = [
            f"{self.name}: tracker {self.show(self.tracker)}",
            f"peer {self.show(self.peer)} ({self.ratio_text()})",
            f"limit {limit}",
        ]
        lines = ["; ".join(parts)]
        lines.extend(f"    target: {check.text()}" for check in self.checks)
        if self.note:
            lines.append(f"    note: {self.note}")
        return "\n".join(lines)

    def cells(self) -> tuple[str, ...]:
        """The figure as summary table cells."""
        targets = "; ".join(f"{c.what} {c.op} {c.bound:g}" for c in self.checks)
        return (
            self.name,
            self.show(self.tracker),
            self.show(self.peer),
            self.ratio_text(),
            self.show(self.limit),
            targets or "-",
            self.status if self.checks else "-",
        )


@dataclass(slots=True)
class Missing:
    """A figure that could not be measured here, and why."""

    name: str
    reason: str

    def line(self) -> str:
        """The figure as printed."""
        return f"{self.name}: not available ({self.reason})"

    def cells(self) -> tuple[str, ...]:
        """The figure as summary table cells."""
        return (self.name, "not available", "-", "-", "-", self.reason, "-")


Result = Figure | Missing


def info(text: str) -> None:
    """Print a detail that is not itself a figure."""
    print(f"    {text}", flush=True)


def shown(result: Result) -> Result:
    """Print a result's line and hand it back."""
    print(result.line(), flush=True)
    return result


HEADER = ("figure", "tracker", "peer", "vs peer", "limit", "target", "status")


def summary(results: list[Result]) -> str:
    """The results as an aligned table."""
    rows = [HEADER, *(r.cells() for r in results)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = []
    for number, row in enumerate(rows):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(path: Path, about: dict[str, Any], results: list[Result]) -> None:
    """The run's settings and every figure (with its ratio and targets' statuses) as JSON."""
    figures = []
    for result in results:
        data = asdict(result)
        if isinstance(result, Figure):
            data["ratio"] = result.ratio
            data["ratio_meaning"] = RATIO_MEANING[result.kind]
            data["status"] = result.status
            for check, out in zip(result.checks, data["checks"], strict=True):
                out["status"] = check.status
        else:
            data["status"] = "not available"
        figures.append(data)
    path.write_text(json.dumps({**about, "figures": figures}, indent=2) + "\n")
