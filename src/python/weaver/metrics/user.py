"""The user API: counters, gauges and histograms, plain or keyed by a fixed label type.

The shape of Service Weaver's `metrics.NewCounter` / `NewCounterMap`: declare at module level,
`Map.get(labels)` returns the child to update (cache it on a hot path).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Generic, TypeVar

from weaver.metrics.labels import label_names, values
from weaver.metrics.registry import DEFAULT, Registry
from weaver.metrics.snapshot import Kind, MetricSnapshot, Series

L = TypeVar("L")

DEFAULT_BOUNDS: tuple[float, ...] = (
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.5, 5.0, 10.0,
)  # fmt: skip
"""Default histogram bucket upper bounds (seconds-scale); a +Inf bucket is implicit."""


class CounterCell:
    """A monotonically increasing float."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def add(self, delta: float = 1.0) -> None:
        """Adds `delta`; a negative or NaN delta is a ValueError."""
        if not delta >= 0:
            raise ValueError(f"counter add must be >= 0, got {delta}")
        self.value += delta

    def _series(self, labels: tuple[str, ...]) -> Series:
        return Series(labels, self.value)


class GaugeCell:
    """A float that goes up and down."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0.0

    def set(self, value: float) -> None:
        """Sets the gauge."""
        self.value = value

    def add(self, delta: float) -> None:
        """Adds `delta` (negative allowed)."""
        self.value += delta

    def _series(self, labels: tuple[str, ...]) -> Series:
        return Series(labels, self.value)


class HistogramCell:
    """Counts of observations in fixed buckets, with their sum."""

    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0

    def put(self, value: float) -> None:
        """Records one observation; NaN is a ValueError."""
        if math.isnan(value):
            raise ValueError("histogram observation is NaN")
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.sum += value

    def _series(self, labels: tuple[str, ...]) -> Series:
        return Series(labels, self.sum, tuple(self.counts), sum(self.counts))


def _check_bounds(name: str, bounds: Sequence[float]) -> tuple[float, ...]:
    b = tuple(float(x) for x in bounds)
    if not b or any(not math.isfinite(x) for x in b) or any(x >= y for x, y in zip(b, b[1:], strict=False)):
        raise ValueError(f"histogram {name!r}: bounds must be finite, strictly increasing, non-empty")
    return b


class _Declared:
    """Name, help and registration shared by every declared metric."""

    kind: Kind

    def _declare(self, name: str, help: str, registry: Registry | None) -> None:
        self.name = name
        self.help = help
        (registry or DEFAULT).add(self)

    def snapshot(self) -> MetricSnapshot:
        """The metric's current values."""
        raise NotImplementedError


class Counter(_Declared, CounterCell):
    """A declared counter with no labels: `Counter("name", "help").add(1)`."""

    kind: Kind = "counter"

    def __init__(self, name: str, help: str, *, registry: Registry | None = None) -> None:
        CounterCell.__init__(self)
        self._declare(name, help, registry)

    def snapshot(self) -> MetricSnapshot:
        """The counter's current value."""
        return MetricSnapshot(self.name, self.help, self.kind, (), (self._series(()),))


class Gauge(_Declared, GaugeCell):
    """A declared gauge with no labels."""

    kind: Kind = "gauge"

    def __init__(self, name: str, help: str, *, registry: Registry | None = None) -> None:
        GaugeCell.__init__(self)
        self._declare(name, help, registry)

    def snapshot(self) -> MetricSnapshot:
        """The gauge's current value."""
        return MetricSnapshot(self.name, self.help, self.kind, (), (self._series(()),))


class Histogram(_Declared, HistogramCell):
    """A declared histogram with no labels and fixed bucket upper bounds."""

    kind: Kind = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        bounds: Sequence[float] = DEFAULT_BOUNDS,
        *,
        registry: Registry | None = None,
    ) -> None:
        HistogramCell.__init__(self, _check_bounds(name, bounds))
        self._declare(name, help, registry)

    def snapshot(self) -> MetricSnapshot:
        """The histogram's current buckets and sum."""
        return MetricSnapshot(
            self.name, self.help, self.kind, (), (self._series(()),), self.bounds
        )


C = TypeVar("C", CounterCell, GaugeCell, HistogramCell)


class _Map(_Declared, Generic[L, C]):
    """Children by label value, each a cell; the label type is fixed at declaration."""

    def __init__(self, name: str, help: str, labels: type[L], registry: Registry | None) -> None:
        self._type = labels
        self.label_names = label_names(labels, metric=name)
        self._cells: dict[L, C] = {}
        self.bounds: tuple[float, ...] = ()
        self._declare(name, help, registry)

    def _new(self) -> C:
        raise NotImplementedError

    def get(self, labels: L) -> C:
        """The cell for `labels` (created on first use); a value of another type is a TypeError."""
        cell = self._cells.get(labels)
        if cell is None:
            if type(labels) is not self._type:
                raise TypeError(
                    f"metric {self.name!r}: labels must be {self._type.__name__}, "
                    f"got {type(labels).__name__}"
                )
            cell = self._cells[labels] = self._new()
        return cell

    def snapshot(self) -> MetricSnapshot:
        """Every child's current value."""
        series = tuple(c._series(values(k, self.label_names)) for k, c in self._cells.items())
        return MetricSnapshot(self.name, self.help, self.kind, self.label_names, series, self.bounds)


class CounterMap(_Map[L, CounterCell]):
    """Counters keyed by label type `L`: `CounterMap("n", "h", Labels).get(Labels(...)).add()`."""

    kind: Kind = "counter"

    def __init__(
        self, name: str, help: str, labels: type[L], *, registry: Registry | None = None
    ) -> None:
        super().__init__(name, help, labels, registry)

    def _new(self) -> CounterCell:
        return CounterCell()


class GaugeMap(_Map[L, GaugeCell]):
    """Gauges keyed by label type `L`."""

    kind: Kind = "gauge"

    def __init__(
        self, name: str, help: str, labels: type[L], *, registry: Registry | None = None
    ) -> None:
        super().__init__(name, help, labels, registry)

    def _new(self) -> GaugeCell:
        return GaugeCell()


class HistogramMap(_Map[L, HistogramCell]):
    """Histograms keyed by label type `L`, all with the same bucket bounds."""

    kind: Kind = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        labels: type[L],
        bounds: Sequence[float] = DEFAULT_BOUNDS,
        *,
        registry: Registry | None = None,
    ) -> None:
        checked = _check_bounds(name, bounds)
        super().__init__(name, help, labels, registry)
        self.bounds = checked

    def _new(self) -> HistogramCell:
        return HistogramCell(self.bounds)
