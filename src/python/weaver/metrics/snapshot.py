"""The wire form of metric values: what a proclet sends the manager, and what it merges.

Plain msgspec structs so they cross the pipe with the existing codec, and so a program
(placement, rollout gates) can read them as well as the exposition can.
"""

from __future__ import annotations

from typing import Literal

import msgspec

Kind = Literal["counter", "gauge", "histogram"]


class Series(msgspec.Struct, frozen=True):
    """One label combination's value; `buckets`/`total` are set for histograms only."""

    labels: tuple[str, ...]
    value: float
    buckets: tuple[int, ...] = ()
    total: int = 0


class MetricSnapshot(msgspec.Struct, frozen=True):
    """A metric's name, help, kind, label names, bucket bounds and current series."""

    name: str
    help: str
    kind: Kind
    label_names: tuple[str, ...]
    series: tuple[Series, ...]
    bounds: tuple[float, ...] = ()


def merge(snapshots: list[MetricSnapshot]) -> list[MetricSnapshot]:
    """Sums series with the same metric name and labels (counters, gauges and histograms).

    Snapshots of one name must agree on kind, label names and bounds, else ValueError.
    """
    heads: dict[str, MetricSnapshot] = {}
    sums: dict[str, dict[tuple[str, ...], Series]] = {}
    for snap in snapshots:
        head = heads.setdefault(snap.name, snap)
        if (head.kind, head.label_names, head.bounds) != (snap.kind, snap.label_names, snap.bounds):
            raise ValueError(f"metric {snap.name!r}: snapshots disagree on kind, labels or buckets")
        acc = sums.setdefault(snap.name, {})
        for s in snap.series:
            old = acc.get(s.labels)
            acc[s.labels] = s if old is None else _add(old, s)
    return [
        msgspec.structs.replace(heads[name], series=tuple(acc.values()))
        for name, acc in sums.items()
    ]


def _add(a: Series, b: Series) -> Series:
    buckets = tuple(x + y for x, y in zip(a.buckets, b.buckets, strict=True))
    return Series(a.labels, a.value + b.value, buckets, a.total + b.total)
