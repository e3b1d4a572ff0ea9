"""A small deployment for the dashboard's unit tests: hello's shape, with real CallTable snapshots."""

from __future__ import annotations

from weaver.dashboard.figures import Sample, totals
from weaver.metrics.calls import CallTable, ErrorKind
from weaver.runtime.status import DeploymentStatus, GroupStatus, ReplicaStatus

MAIN, GREETER, COUNTER = "weaver.Main", "apps.hello.greeter.Greeter", "apps.hello.counter.Counter"


def status(healthy: bool = True) -> DeploymentStatus:
    def replicas(group: str, restarts: int = 0) -> list[ReplicaStatus]:
        return [
            ReplicaStatus(replica=f"{group}.{i}", pid=100 + i, address="", healthy=healthy or i == 1, restarts=restarts)
            for i in range(2)
        ]

    return DeploymentStatus(
        app="hello",
        version="v1",
        manager_pid=1,
        started=1_700_000_000.0,
        healthy=healthy,
        listeners={"hello": "127.0.0.1:8080"},
        groups=[
            GroupStatus(name="Main", components=[MAIN], replicas=replicas("Main")),
            GroupStatus(name="Greeter", components=[GREETER], replicas=replicas("Greeter", restarts=1)),
            GroupStatus(name="Counter", components=[COUNTER], replicas=replicas("Counter")),
        ],
        metrics="127.0.0.1:9999",
    )


def sample(t: float, greets: int, failed: int = 0, outside: int = 0, slow_ns: int = 0) -> Sample:
    """Totals after `greets` greetings (Main -> Greeter.greet -> Counter.add), `failed` of them
    failing in Greeter with an app error, and `outside` calls of Counter.get from a test."""
    table = CallTable()
    greet = table.slot(MAIN, GREETER, "greet", True)
    add = table.slot(GREETER, COUNTER, "add", True)
    for i in range(greets):
        greet.record(slow_ns if slow_ns and i % 10 == 9 else 200_000)  # 200 us, every tenth slow
        if i < failed:
            greet.failed(ErrorKind.APP)
        else:
            add.record(40_000)
    served = table.slot("", GREETER, "greet", True, side="callee")
    for _ in range(greets):
        served.record(150_000)  # callee sides are not edges: they must not count twice
    get = table.slot("", COUNTER, "get", True)
    for _ in range(outside):
        get.record(30_000)
    return Sample(t, totals(table.snapshot("v1")))
