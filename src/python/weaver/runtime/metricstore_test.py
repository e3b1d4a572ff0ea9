"""The manager's aggregation: sums over replicas, and restarts never make counters go back."""

from __future__ import annotations

from weaver.metrics.calls import CallTable, ErrorKind
from weaver.metrics.snapshot import MetricSnapshot, Series
from weaver.runtime.metricstore import MetricStore


def calls(store: MetricStore) -> dict[tuple[str, ...], float]:
    return {s.labels: s.value for m in store.merged() if m.name == "weaver_method_calls" for s in m.series}


def report(n: int, errors: int = 0) -> list[MetricSnapshot]:
    """A fresh process's cumulative report after `n` calls of one edge."""
    t = CallTable()
    slot = t.slot("weaver.Main", "hello.Greeter", "greet", True)
    for _ in range(n):
        slot.record(1_000, 10, 20)
    for _ in range(errors):
        slot.failed(ErrorKind.APP)
    return t.snapshot("v1")


KEY = ("weaver.Main", "hello.Greeter", "greet", "v1", "true", "caller")


def test_replicas_are_summed_and_a_restarted_replica_keeps_its_old_counts() -> None:
    store = MetricStore()
    store.update("Main.0:100", report(5))
    store.update("Main.1:101", report(3))
    assert calls(store) == {KEY: 8}
    store.update("Main.0:100", report(7, errors=1))
    assert calls(store) == {KEY: 10}
    store.retire("Main.0:100")  # the process died; its replacement starts from zero
    store.update("Main.0:200", report(0))
    assert calls(store) == {KEY: 10}
    store.update("Main.0:200", report(4))
    assert calls(store) == {KEY: 14}
    hist = next(m for m in store.merged() if m.name == "weaver_method_latency_seconds")
    assert hist.series[0].total == 14
    errs = next(m for m in store.merged() if m.name == "weaver_method_errors")
    assert {s.labels[-1]: s.value for s in errs.series}["app"] == 1


def test_a_report_read_after_its_process_was_retired_replaces_the_offset_once() -> None:
    store = MetricStore()
    store.update("G.0:1", report(2))
    store.retire("G.0:1")
    store.update("G.0:1", report(3))  # the final report, read after the exit was seen
    store.update("G.0:1", report(3))
    assert calls(store) == {KEY: 3}
    store.retire("G.0:1")  # retiring twice changes nothing
    assert calls(store) == {KEY: 3}


def test_gauges_of_a_dead_replica_are_dropped() -> None:
    gauge = MetricSnapshot("queue_depth", "Depth.", "gauge", (), (Series((), 5.0),))
    store = MetricStore()
    store.update("A.0:1", [gauge])
    store.update("A.1:2", [gauge])
    assert [s.value for m in store.merged() for s in m.series] == [10.0]
    store.retire("A.0:1")
    assert [s.value for m in store.merged() for s in m.series] == [5.0]
