"""Merged snapshots render as Prometheus text that a real parser reads back."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from weaver.metrics.calls import CallTable, ErrorKind
from weaver.metrics.exposition import render
from weaver.metrics.snapshot import MetricSnapshot, Series, merge


def test_two_proclets_merge_and_parse() -> None:
    a, b = CallTable(), CallTable()
    for t in (a, b):
        t.slot("main", "Hello", "greet", True).record(2_000)
    b.slot("main", "Hello", "greet", True).failed(ErrorKind.APP)
    text = render(merge(a.snapshot("v1") + b.snapshot("v1"))).decode()
    fams = {f.name: f for f in text_string_to_metric_families(text)}
    calls = [s for s in fams["weaver_method_calls"].samples if s.name.endswith("_total")]
    assert [(s.labels["component"], s.value) for s in calls] == [("Hello", 2.0)]
    app = [s for s in fams["weaver_method_errors"].samples if s.labels["kind"] == "app"]
    assert app[0].value == 1.0
    lat = fams["weaver_method_latency_seconds"].samples
    inf = [s for s in lat if s.name.endswith("_bucket") and s.labels["le"] == "+Inf"]
    count = [s for s in lat if s.name.endswith("_count")]
    assert inf[0].value == 2.0 and count[0].value == 2.0


def test_label_values_are_escaped() -> None:
    snap = MetricSnapshot("g", 'help "q"', "gauge", ("x",), (Series(('a"b\\c\n',), 1.0),))
    fams = list(text_string_to_metric_families(render([snap]).decode()))
    assert fams[0].samples[0].labels["x"] == 'a"b\\c\n'


def test_merge_rejects_disagreeing_snapshots() -> None:
    s1 = MetricSnapshot("m", "", "counter", ("a",), ())
    s2 = MetricSnapshot("m", "", "gauge", ("a",), ())
    with pytest.raises(ValueError, match="metric 'm'"):
        merge([s1, s2])
