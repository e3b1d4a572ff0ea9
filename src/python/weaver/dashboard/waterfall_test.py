"""A trace's waterfall: tree order, depths and positions on the time axis."""

from __future__ import annotations

import pytest

from weaver.dashboard.waterfall import waterfall
from weaver.tracing import SpanRecord

T = "ab" * 16


def span(sid: str, parent: str, start: int, end: int, name: str = "", error: str = "") -> SpanRecord:
    return SpanRecord(T, sid, parent, name or sid, "server", start, end, error, {}, f"proc-{sid}")


def test_spans_in_tree_order_with_depth_and_offsets() -> None:
    spans = [
        span("c2", "b", 600, 900),
        span("b", "a", 100, 950),
        span("a", "outsider", 0, 1000),  # its parent is not in the trace: a root
        span("c1", "b", 200, 500, error="ValueError"),
    ]
    wf = waterfall(T, spans)
    assert [(b.span_id, b.depth) for b in wf.bars] == [("a", 0), ("b", 1), ("c1", 2), ("c2", 2)]
    c1 = wf.bars[2]
    assert c1.left_pct == pytest.approx(20.0) and c1.width_pct == pytest.approx(30.0) and c1.error == "ValueError"
    assert wf.duration_ms == pytest.approx(0.001) and wf.processes == 4


def test_a_parent_loop_and_an_empty_trace() -> None:
    wf = waterfall(T, [span("x", "y", 0, 10), span("y", "x", 5, 10)])
    assert sorted(b.span_id for b in wf.bars) == ["x", "y"]
    assert waterfall(T, []).bars == []
