"""What a deployer implements to host proclets through envelopes: the `EnvelopeHandler` seam.

An `Envelope` starts one proclet process and speaks the pipe protocol with it
(`weaver.runtime.messages`); everything it cannot decide alone it asks its handler, which is the
deployer (the multiprocess manager today; a Kubernetes pod's babysitter next). The envelope
calls the handler on the event loop, never concurrently, and never blocks waiting for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from weaver.metrics.snapshot import MetricSnapshot
    from weaver.runtime.envelope import Envelope
    from weaver.runtime.messages import LogEntry


class EnvelopeHandler(Protocol):
    """The deployer's side of an envelope."""

    def routing_for(self, group: str) -> dict[str, list[str]]:
        """Current routing info (component -> replica addresses) for a proclet of `group` that registers.

        Usually the same for every group; a deployer may show a group its own view (the
        multiprocess deployer's chaos tests route one group's calls through fault injectors).
        """
        ...

    def replica_changed(self, envelope: Envelope) -> None:
        """The replica started, registered, changed health or listeners, or exited."""
        ...

    def replica_logs(self, envelope: Envelope, entries: list[LogEntry]) -> None:
        """Log entries from the replica: its log records and its stdout/stderr lines."""
        ...

    def replica_metrics(self, envelope: Envelope, snapshots: list[MetricSnapshot]) -> None:
        """The replica's cumulative metrics (since its process started), sent periodically."""
        ...
