"""The messages between a proclet and its envelope (the paper's Table 1), as msgspec structs.

Proclet -> envelope: `RegisterReplica` (once its server listens), `StartComponent` (a component
it needs that is hosted elsewhere), `ComponentsStarted`, `ListenerReady`, `HealthReply`, `Logs`, `Metrics`.
Envelope -> proclet: `ComponentsToHost`, `RoutingInfo`, `HealthCheck`, `Stop`.
Every message is one tagged struct so that a frame decodes to exactly one known type.
"""

from __future__ import annotations

import msgspec

from weaver.metrics.snapshot import MetricSnapshot
from weaver.tracing.record import SpanRecord


class LogEntry(msgspec.Struct, kw_only=True, omit_defaults=True):
    """One structured log entry of a replica (also child stdout/stderr lines)."""

    app: str
    version: str
    component: str = ""
    replica: str = ""
    time: float
    level: str
    file: str = ""
    line: int = 0
    msg: str
    source: str = "log"
    """"log" for logging records, "stdout"/"stderr" for captured child output."""
    group: str = ""
    trace_id: str = ""
    """The trace the entry was logged in (hex), when that trace was recorded."""
    attrs: dict[str, str] = {}
    """Structured fields, e.g. an access log entry's method, path, status, bytes, duration_ms."""


class RegisterReplica(msgspec.Struct, tag=True):
    app: str
    version: str
    group: str
    replica: str
    pid: int
    address: str
    """Where this replica's rpc server listens (`tcp://host:port`)."""
    local: str = ""
    """The same server on a Unix socket (`unix:///path`), for peers on this host; "" if none."""


class StartComponent(msgspec.Struct, tag=True):
    """This proclet holds a Ref to `component`, hosted elsewhere: make sure it runs."""

    component: str


class ComponentsStarted(msgspec.Struct, tag=True):
    """Every hosted component is initialised and served: route calls here."""

    components: list[str]


class ListenerReady(msgspec.Struct, tag=True):
    name: str
    address: str
    """`host:port` the replica bound: the shared address, or the port it picked for the proxy."""


class HealthReply(msgspec.Struct, tag=True):
    id: int
    healthy: bool
    detail: str = ""


class Logs(msgspec.Struct, tag=True):
    entries: list[LogEntry]


class Metrics(msgspec.Struct, tag=True):
    """The replica's metrics since it started (cumulative), sent every `report_interval` s."""

    snapshots: list[MetricSnapshot]


class Spans(msgspec.Struct, tag=True):
    """Spans the replica finished since its last report (`[weaver.tracing]`)."""

    spans: list[SpanRecord]


class ComponentsToHost(msgspec.Struct, tag=True):
    group: str
    components: list[str]
    listeners: dict[str, str] = {}
    """Listener name -> `host:port` to bind with SO_REUSEPORT (shared by the replicas);
    a listener not named here binds 127.0.0.1:0 and the manager's proxy forwards to it."""


class RoutingInfo(msgspec.Struct, tag=True):
    """Replica addresses of every component hosted elsewhere (replaces the previous info)."""

    replicas: dict[str, list[str]]


class HealthCheck(msgspec.Struct, tag=True):
    id: int


class Stop(msgspec.Struct, tag=True):
    """Stop serving: let calls in flight finish within `grace` seconds, then exit."""

    grace: float


ToEnvelope = RegisterReplica | StartComponent | ComponentsStarted | ListenerReady | HealthReply | Logs | Metrics | Spans
ToProclet = ComponentsToHost | RoutingInfo | HealthCheck | Stop
Message = ToEnvelope | ToProclet
