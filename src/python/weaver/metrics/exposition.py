"""Prometheus text exposition of merged snapshots, written by `prometheus-client`.

The library owns the format's escaping, `_total`/`_bucket`/`+Inf` rules and content type, so
we only map our snapshots to its metric families (a custom collector, no global registry).
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from weaver.metrics.snapshot import MetricSnapshot

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _Collector:
    def __init__(self, snapshots: list[MetricSnapshot]) -> None:
        self._snapshots = snapshots

    def collect(self) -> Iterator[Metric]:
        for snap in self._snapshots:
            labels = list(snap.label_names)
            fam: CounterMetricFamily | GaugeMetricFamily | HistogramMetricFamily
            if snap.kind == "counter":
                fam = CounterMetricFamily(snap.name, snap.help, labels=labels)
                for s in snap.series:
                    fam.add_metric(list(s.labels), s.value)
            elif snap.kind == "gauge":
                fam = GaugeMetricFamily(snap.name, snap.help, labels=labels)
                for s in snap.series:
                    fam.add_metric(list(s.labels), s.value)
            else:
                fam = HistogramMetricFamily(snap.name, snap.help, labels=labels)
                for s in snap.series:
                    fam.add_metric(list(s.labels), _cumulative(snap.bounds, s.buckets), s.value)
            yield fam


def _cumulative(bounds: tuple[float, ...], counts: tuple[int, ...]) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    running = 0
    for bound, n in zip((*(repr(b) for b in bounds), "+Inf"), counts, strict=True):
        running += n
        out.append((bound, float(running)))
    return out


def render(snapshots: list[MetricSnapshot]) -> bytes:
    """The Prometheus text format (version 0.0.4) of `snapshots`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(snapshots))  # type: ignore[arg-type]
    return generate_latest(registry)
