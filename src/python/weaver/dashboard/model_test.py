"""The view model from real call-metric snapshots: edges, figures over the window, methods."""

from __future__ import annotations

import msgspec
import pytest

from weaver.dashboard.figures import Counts, RateWindow, Sample, Totals, quantile
from weaver.dashboard.model import Overview, deployment_view
from weaver.dashboard.testdata import COUNTER, GREETER, MAIN, sample, status


def test_edges_come_from_the_caller_side_with_totals_and_window_figures() -> None:
    view = deployment_view(status(), sample(20.0, 100, failed=10, outside=3), sample(10.0, 50, failed=5))
    assert view.key == "hello@v1" and view.window_s == 10.0
    assert [n.name for n in view.graph.nodes] == [MAIN, GREETER, COUNTER]
    edges = {(e.caller, e.callee): e for e in view.graph.edges}
    assert set(edges) == {(MAIN, GREETER), (GREETER, COUNTER)}  # no edge from outside components
    greet = edges[(MAIN, GREETER)].figures
    assert (greet.calls, greet.errors) == (100, 10)
    assert greet.rate == pytest.approx(5.0)  # 50 calls in 10 s
    assert greet.error_ratio == pytest.approx(0.1)
    assert greet.p50_ms == pytest.approx(0.25)  # 200 us falls in the (100 us, 250 us] bucket
    add = edges[(GREETER, COUNTER)]
    assert (add.figures.calls, add.figures.rate, add.figures.error_ratio) == (90, 4.5, 0.0)
    assert set(add.methods) == {"add"}


def test_quantiles_are_over_the_window_only() -> None:
    early = sample(0.0, 100)  # all fast
    late = sample(10.0, 200, slow_ns=40_000_000)  # the window's 100 calls: 20 of them 40 ms
    f = next(e for e in deployment_view(status(), late, early).graph.edges if e.callee == GREETER).figures
    assert f.p50_ms == pytest.approx(0.25)
    assert f.p99_ms == pytest.approx(50.0)  # 40 ms is in (25 ms, 50 ms]


def test_without_an_earlier_sample_only_totals_are_known() -> None:
    view = deployment_view(status(), sample(5.0, 7), None)
    f = view.graph.edges[0].figures
    assert view.window_s is None and f.calls == 7
    assert (f.rate, f.p50_ms, f.p99_ms, f.error_ratio) == (None, None, None, None)


def test_methods_sum_over_callers_and_name_outside_callers() -> None:
    view = deployment_view(status(), sample(20.0, 10, outside=4), sample(10.0, 0))
    counter = next(c for c in view.components if c.name == COUNTER)
    rows = {m.method: m for m in counter.methods}
    assert rows["add"].callers == [GREETER] and rows["add"].figures.calls == 10
    assert rows["get"].callers == ["(outside)"] and rows["get"].figures.calls == 4
    assert counter.group == "Counter"


def test_groups_replicas_and_unhealthy_nodes() -> None:
    view = deployment_view(status(healthy=False), sample(1.0, 0), None)
    assert [g.name for g in view.groups] == ["Main", "Greeter", "Counter"]
    assert [r.restarts for r in view.groups[1].replicas] == [1, 1]
    assert [(n.healthy, n.replicas) for n in view.graph.nodes] == [(1, 2)] * 3


def test_the_json_is_decodable_by_a_program() -> None:
    view = deployment_view(status(), sample(20.0, 10), sample(10.0, 5))
    data = msgspec.json.encode(Overview(deployments=[view]))
    again = msgspec.json.decode(data, type=Overview)
    assert again.deployments[0].graph == view.graph
    edge = msgspec.json.decode(data)["deployments"][0]["graph"]["edges"][0]
    assert set(edge) == {"caller", "callee", "figures", "methods"}
    assert set(edge["figures"]) == {"calls", "errors", "rate", "p50_ms", "p99_ms", "error_ratio"}


def test_the_window_keeps_the_span_and_a_bound() -> None:
    w = RateWindow(span=10.0, keep=5)
    for t in range(30):
        w.add(Sample(float(t), Totals({})))
    oldest = w.oldest(29.0)
    assert len(w) <= 5 and oldest is not None and oldest.time == 25.0  # bounded by keep
    w = RateWindow(span=3.0, keep=100)
    for t in range(10):
        w.add(Sample(float(t), Totals({})))
    oldest = w.oldest(9.0)
    assert oldest is not None and oldest.time == 6.0  # the newest sample at least `span` back
    assert w.oldest(100.0) is None  # sampling stopped long ago: no rate rather than a wrong one
    with pytest.raises(ValueError, match="span"):
        RateWindow(span=0)


def test_counts_and_quantiles() -> None:
    a, b = Counts(10, 1, (1, 2, 3)), Counts(4, 0, (0, 1, 1))
    assert a - b == Counts(6, 1, (1, 1, 2)) and a + b == Counts(14, 1, (1, 3, 4))
    assert b - a == Counts(0, 0, (0, 0, 0))  # never negative
    assert quantile((0.1, 0.2), (0, 0, 0), 0.5) is None
    assert quantile((0.1, 0.2), (1, 1, 0), 0.5) == 0.1
    assert quantile((0.1, 0.2), (0, 0, 3), 0.99) == float("inf")
