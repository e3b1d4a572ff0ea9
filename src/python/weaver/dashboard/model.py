"""The dashboard's view model: what the page shows and `/dashboard.json` serves, as msgspec structs.

`deployment_view` is a pure function of a deployment's status, its call totals now and at the
start of the rate window, and its recent traces; the manager and `weaver multi dashboard` feed
it, tests call it directly. Rates, percentiles and error ratios are over the window (`window_s`
seconds; None when the window has no sample yet or saw no call); `calls` and `errors` are
totals since the deployment started.
"""

from __future__ import annotations

import math

import msgspec

from weaver.dashboard.figures import Counts, Key, Sample, Totals, quantile
from weaver.dashboard.rollout import RolloutView
from weaver.runtime.status import DeploymentStatus

MIN_WINDOW = 0.5
"""Seconds between two samples below which no rate is given (it would be mostly noise)."""
OUTSIDE = ""
"""The caller label of calls made outside any component (a test): not drawn in the graph."""


class Figures(msgspec.Struct, frozen=True, kw_only=True):
    """Traffic of an edge or a method: totals, and the window's rate, quantiles and error ratio."""

    calls: int
    errors: int
    rate: float | None = None
    """Calls per second over the window."""
    p50_ms: float | None = None
    """Upper bound of the bucket holding the median of the window's timed calls (ms)."""
    p99_ms: float | None = None
    """Past the last bucket (5 s) this is the last bound."""
    error_ratio: float | None = None
    """Errors / calls over the window."""


class Node(msgspec.Struct, frozen=True, kw_only=True):
    """A component: its full name, short label, group, and replicas healthy of all."""

    name: str
    label: str
    group: str
    healthy: int
    replicas: int


class Edge(msgspec.Struct, frozen=True, kw_only=True):
    """Calls from `caller` to `callee` (all methods), with per-method figures."""

    caller: str
    callee: str
    figures: Figures
    methods: dict[str, Figures]


class Graph(msgspec.Struct, frozen=True, kw_only=True):
    nodes: list[Node]
    edges: list[Edge]


class MethodRow(msgspec.Struct, frozen=True, kw_only=True):
    """A method of a component, summed over its callers."""

    method: str
    callers: list[str]
    figures: Figures


class ComponentView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    group: str
    methods: list[MethodRow]


class ReplicaView(msgspec.Struct, frozen=True, kw_only=True):
    replica: str
    pid: int
    healthy: bool
    restarts: int


class GroupView(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    components: list[str]
    replicas: list[ReplicaView]


class TraceRow(msgspec.Struct, frozen=True):
    """A recent trace, as the manager's `/traces` lists it."""

    trace_id: str
    root: str
    spans: int
    start_ns: int
    duration_ms: float
    error: bool
    processes: int


class DeploymentView(msgspec.Struct, frozen=True, kw_only=True):
    """One version of one app: health, groups and replicas, the call graph, methods, traces."""

    key: str
    """`app@version`: names the deployment in the dashboard's URLs."""
    app: str
    version: str
    healthy: bool
    started: float
    listeners: dict[str, str]
    metrics: str
    groups: list[GroupView]
    graph: Graph
    components: list[ComponentView]
    traces: list[TraceRow]
    window_s: float | None
    """Seconds the rates are over (None: no earlier sample yet)."""


class Overview(msgspec.Struct, frozen=True, kw_only=True):
    """Every deployment the dashboard sees; `errors` names those it could not read."""

    deployments: list[DeploymentView]
    errors: list[str] = []
    rollouts: list[RolloutView] = []
    """The latest rollout of each app shown (weaver.dashboard.rollout)."""


def key_of(status: DeploymentStatus) -> str:
    return f"{status.app}@{status.version}"


def short(name: str) -> str:
    """`apps.hello.greeter.Greeter` -> `Greeter`; `weaver.Main` -> `Main`."""
    return name.rsplit(".", 1)[-1] or name


def figures(now: Counts, then: Counts | None, bounds: tuple[float, ...], seconds: float | None) -> Figures:
    """An edge's or method's figures: totals from `now`, the rest from `now - then`."""
    base = Figures(calls=round(now.calls), errors=round(now.errors))
    if then is None or not seconds:
        return base
    d = now - then
    ratio = d.errors / d.calls if d.calls else None
    p50, p99 = quantile(bounds, d.buckets, 0.5), quantile(bounds, d.buckets, 0.99)
    return msgspec.structs.replace(
        base, rate=d.calls / seconds, p50_ms=_ms(p50, bounds), p99_ms=_ms(p99, bounds), error_ratio=ratio
    )


def _ms(seconds: float | None, bounds: tuple[float, ...]) -> float | None:
    """Milliseconds; past the last bucket (JSON has no infinity) the last bound is given."""
    if seconds is None:
        return None
    return (bounds[-1] if math.isinf(seconds) and bounds else seconds) * 1000


def _sum(counts: list[Counts]) -> Counts:
    out = Counts()
    for c in counts:
        out = out + c
    return out


def deployment_view(
    status: DeploymentStatus,
    now: Sample,
    earlier: Sample | None,
    traces: list[TraceRow] | None = None,
) -> DeploymentView:
    """The view of one deployment from its status, its call totals `now` and at `earlier`."""
    seconds = now.time - earlier.time if earlier is not None and now.time - earlier.time >= MIN_WINDOW else None
    old: Totals | None = earlier.totals if earlier is not None and seconds else None
    bounds = now.totals.bounds
    cur = now.totals.counts

    def fig(keys: list[Key]) -> Figures:
        then = None if old is None else _sum([old.counts.get(k, Counts()) for k in keys])
        return figures(_sum([cur[k] for k in keys]), then, bounds, seconds)

    group_of = {c: g.name for g in status.groups for c in g.components}
    nodes = [
        Node(
            name=c,
            label=short(c),
            group=g.name,
            healthy=sum(1 for r in g.replicas if r.healthy),
            replicas=len(g.replicas),
        )
        for g in status.groups
        for c in g.components
    ]
    seen = {n.name for n in nodes}
    for caller, callee, _ in sorted(cur):
        for c in (caller, callee):
            if c != OUTSIDE and c not in seen:
                seen.add(c)
                nodes.append(Node(name=c, label=short(c), group="", healthy=0, replicas=0))
    by_edge: dict[tuple[str, str], list[Key]] = {}
    for k in sorted(cur):
        if k[0] != OUTSIDE:
            by_edge.setdefault((k[0], k[1]), []).append(k)
    edges = [
        Edge(caller=a, callee=b, figures=fig(keys), methods={k[2]: fig([k]) for k in keys})
        for (a, b), keys in sorted(by_edge.items())
    ]
    by_method: dict[tuple[str, str], list[Key]] = {}
    for k in sorted(cur):
        by_method.setdefault((k[1], k[2]), []).append(k)
    components = []
    for name in sorted({n.name for n in nodes}):
        rows = [
            MethodRow(method=m, callers=[k[0] or "(outside)" for k in keys], figures=fig(keys))
            for (c, m), keys in sorted(by_method.items())
            if c == name
        ]
        components.append(ComponentView(name=name, group=group_of.get(name, ""), methods=rows))
    groups = [
        GroupView(
            name=g.name,
            components=list(g.components),
            replicas=[
                ReplicaView(replica=r.replica, pid=r.pid, healthy=r.healthy, restarts=r.restarts) for r in g.replicas
            ],
        )
        for g in status.groups
    ]
    return DeploymentView(
        key=key_of(status),
        app=status.app,
        version=status.version,
        healthy=status.healthy,
        started=status.started,
        listeners=dict(status.listeners),
        metrics=status.metrics,
        groups=groups,
        graph=Graph(nodes=nodes, edges=edges),
        components=components,
        traces=list(traces or []),
        window_s=seconds,
    )
