"""The manager's view of a deployment's metrics: the latest report of every replica process.

Reports are cumulative per process. When a process ends, its last report is kept as a fixed
offset (counters and histograms only: a dead replica's gauges no longer describe anything), so
a replica that restarts from zero never makes the deployment's sums go backwards. A report
that arrives after its process was retired (the final one, read late) replaces that offset.
"""

from __future__ import annotations

from collections.abc import Sequence

from weaver.metrics.snapshot import MetricSnapshot, merge


class MetricStore:
    """Latest cumulative reports by source (one process incarnation: `replica:pid`)."""

    def __init__(self) -> None:
        self._live: dict[str, list[MetricSnapshot]] = {}
        self._retired: dict[str, list[MetricSnapshot]] = {}

    def update(self, source: str, snapshots: Sequence[MetricSnapshot]) -> None:
        """`source` reports its figures since it started."""
        if source in self._retired:
            self._retired[source] = _lasting(snapshots)
        else:
            self._live[source] = list(snapshots)

    def retire(self, source: str) -> None:
        """`source`'s process ended: keep its counters as they last were."""
        last = self._live.pop(source, None)
        if last is not None:
            self._retired[source] = _lasting(last)

    def merged(self) -> list[MetricSnapshot]:
        """Every series summed over the replicas, live and retired, sorted by metric name."""
        parts = [s for snaps in self._retired.values() for s in snaps]
        parts += [s for snaps in self._live.values() for s in snaps]
        return sorted(merge(parts), key=lambda s: s.name)


def _lasting(snapshots: Sequence[MetricSnapshot]) -> list[MetricSnapshot]:
    return [s for s in snapshots if s.kind != "gauge"]
