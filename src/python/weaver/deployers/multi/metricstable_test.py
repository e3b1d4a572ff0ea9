"""`weaver multi metrics`: exposition text -> rows -> the printed table."""

from __future__ import annotations

import math

from weaver.deployers.multi.metricstable import render, rows
from weaver.metrics.calls import CallTable, ErrorKind
from weaver.metrics.exposition import render as expose


def text() -> str:
    t = CallTable()
    greet = t.slot("weaver.Main", "apps.hello.greeter.Greeter", "greet", True)
    for ns in (2_000_000,) * 99 + (300_000_000,):  # 99 calls of 2 ms, one of 300 ms
        greet.record(ns, 30, 60)
    greet.failed(ErrorKind.APP)
    greet.failed(ErrorKind.DEADLINE)
    t.slot("apps.hello.greeter.Greeter", "apps.hello.counter.Counter", "add", True).record(1_000_000)
    t.slot("", "apps.hello.counter.Counter", "add", True, "callee").record(500_000)
    return expose(t.snapshot("abc123")).decode()


def test_rows_carry_calls_errors_and_latency() -> None:
    found = {(r.labels["component"], r.labels["side"]): r for r in rows(text())}
    greet = found[("apps.hello.greeter.Greeter", "caller")]
    assert greet.calls == 100 and greet.timed == 100
    assert greet.errors == {"app": 1, "remote": 0, "communication": 0, "deadline": 1}
    assert math.isclose(greet.latency_sum, 99 * 0.002 + 0.3)
    assert greet.quantile(0.5) == 0.0025  # the 2 ms calls sit in the (1 ms, 2.5 ms] bucket
    assert greet.quantile(0.999) == 0.5
    assert found[("apps.hello.counter.Counter", "callee")].labels["caller"] == ""


def test_filter_matches_any_label_and_the_table_prints_the_figures() -> None:
    assert [r.labels["method"] for r in rows(text(), "Counter")] == ["add", "add"]
    assert rows(text(), "nothing-like-this") == []
    assert len(rows(text(), "greet")) == 2  # the method, and Greeter as a caller
    out = render(rows(text(), "weaver.Main"), title="hello@abc123")
    assert "hello@abc123" in out
    line = next(x for x in out.splitlines() if "weaver.Main" in x)
    cells = [c.strip() for c in line.strip("│┃| ").split("│")]
    assert cells[:6] == ["weaver.Main", "Greeter", "greet", "remote", "caller", "100"]
    assert cells[6:10] == ["1", "0", "0", "1"]
    assert cells[10] == f"{(99 * 2 + 300) / 100:.3f}" and cells[11] == "2.500"  # p99: the 99th call is a 2-ms one
