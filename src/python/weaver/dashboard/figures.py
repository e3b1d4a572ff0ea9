"""Per-edge call figures from the manager's merged `weaver_method_*` snapshots, and a rate window.

An edge method is (caller, component, method), read from the caller's side of the metrics:
every call is counted there, remote or co-located, while the callee's side of a remote call
does not know its caller. Calls per second need two samples: `RateWindow` keeps the totals of
the last `span` seconds (a bounded deque, sampled by its owner) and figures come from the
difference between now and the oldest sample in it.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from weaver.metrics.snapshot import MetricSnapshot

Key = tuple[str, str, str]
"""(caller, component, method)."""


@dataclass(frozen=True)
class Counts:
    """Cumulative figures of one edge method: calls, errors, timed-latency buckets (per bucket)."""

    calls: float = 0.0
    errors: float = 0.0
    buckets: tuple[int, ...] = ()

    def __add__(self, other: Counts) -> Counts:
        if not self.buckets:
            return Counts(self.calls + other.calls, self.errors + other.errors, other.buckets)
        if not other.buckets:
            return Counts(self.calls + other.calls, self.errors + other.errors, self.buckets)
        summed = tuple(a + b for a, b in zip(self.buckets, other.buckets, strict=True))
        return Counts(self.calls + other.calls, self.errors + other.errors, summed)

    def __sub__(self, older: Counts) -> Counts:
        """What happened since `older` (never negative: a counter only resets with a new manager)."""
        if older.buckets and len(older.buckets) == len(self.buckets):
            diff = tuple(max(0, a - b) for a, b in zip(self.buckets, older.buckets, strict=True))
        else:
            diff = self.buckets
        return Counts(max(0.0, self.calls - older.calls), max(0.0, self.errors - older.errors), diff)


@dataclass(frozen=True)
class Totals:
    """Every edge method's counts at one moment, and the histogram's bucket bounds (seconds)."""

    counts: Mapping[Key, Counts]
    bounds: tuple[float, ...] = ()


def totals(snapshots: Iterable[MetricSnapshot]) -> Totals:
    """The caller-side counts of every edge method in merged snapshots (other metrics ignored)."""
    calls: dict[Key, float] = {}
    errors: dict[Key, float] = {}
    buckets: dict[Key, tuple[int, ...]] = {}
    bounds: tuple[float, ...] = ()
    for snap in snapshots:
        if snap.name not in ("weaver_method_calls", "weaver_method_errors", "weaver_method_latency_seconds"):
            continue
        names = snap.label_names
        try:
            ci, ki, mi, si = (names.index(n) for n in ("caller", "component", "method", "side"))
        except ValueError:
            raise ValueError(f"metric {snap.name!r}: labels {names} lack caller/component/method/side") from None
        if snap.kind == "histogram":
            bounds = snap.bounds
        for s in snap.series:
            if s.labels[si] != "caller":
                continue
            key = (s.labels[ci], s.labels[ki], s.labels[mi])
            if snap.name == "weaver_method_calls":
                calls[key] = calls.get(key, 0.0) + s.value
            elif snap.name == "weaver_method_errors":
                errors[key] = errors.get(key, 0.0) + s.value
            else:
                old = buckets.get(key)
                buckets[key] = s.buckets if old is None else tuple(a + b for a, b in zip(old, s.buckets, strict=True))
    keys = set(calls) | set(errors) | set(buckets)
    return Totals({k: Counts(calls.get(k, 0.0), errors.get(k, 0.0), buckets.get(k, ())) for k in keys}, bounds)


def quantile(bounds: tuple[float, ...], buckets: tuple[int, ...], q: float) -> float | None:
    """The upper bound (seconds) of the bucket holding quantile `q`; None with no timed call,
    inf past the last bound."""
    total = sum(buckets)
    if not total:
        return None
    running = 0
    for i, n in enumerate(buckets):
        running += n
        if running >= q * total:
            return bounds[i] if i < len(bounds) else math.inf
    return math.inf


@dataclass(frozen=True)
class Sample:
    """Totals taken at `time` (seconds, monotonic)."""

    time: float
    totals: Totals


class RateWindow:
    """The samples of the last `span` seconds (at most `keep`), oldest first."""

    def __init__(self, span: float = 10.0, keep: int = 64) -> None:
        if span <= 0 or keep < 1:
            raise ValueError(f"RateWindow: span must be > 0 and keep >= 1, got {span}, {keep}")
        self.span = span
        self._samples: deque[Sample] = deque(maxlen=keep)

    def add(self, sample: Sample) -> None:
        self._samples.append(sample)
        while len(self._samples) > 1 and sample.time - self._samples[1].time >= self.span:
            self._samples.popleft()

    def oldest(self, now: float) -> Sample | None:
        """The oldest sample still within `span` of `now` (None if none is)."""
        for s in self._samples:
            if now - s.time <= self.span * 1.5:
                return s
        return None

    def __len__(self) -> int:
        return len(self._samples)
