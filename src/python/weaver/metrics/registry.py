"""The set of declared metrics a proclet reports: names are unique per registry."""

from __future__ import annotations

from typing import Protocol

from weaver.metrics.labels import check_name
from weaver.metrics.snapshot import MetricSnapshot


class Reportable(Protocol):
    """Anything that can describe its current values."""

    name: str

    def snapshot(self) -> MetricSnapshot: ...


class Registry:
    """Declared metrics by name; `snapshot()` reads them all."""

    def __init__(self) -> None:
        self._metrics: dict[str, Reportable] = {}

    def add(self, metric: Reportable) -> None:
        """Registers `metric`; a second metric of the same name is a ValueError."""
        check_name(metric.name)
        if metric.name in self._metrics:
            raise ValueError(f"metric {metric.name!r} is declared twice")
        self._metrics[metric.name] = metric

    def snapshot(self) -> list[MetricSnapshot]:
        """The current values of every registered metric."""
        return [m.snapshot() for m in self._metrics.values()]


DEFAULT = Registry()
"""Where module-level declarations go unless given another registry."""
