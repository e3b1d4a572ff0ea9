"""A trace as a waterfall: its spans in tree order, each with its depth and place on the time axis."""

from __future__ import annotations

import msgspec

from weaver.tracing import SpanRecord


class Bar(msgspec.Struct, frozen=True, kw_only=True):
    """One span's row: indentation depth, offset and width in % of the trace, and its facts."""

    span_id: str
    parent_id: str
    name: str
    kind: str
    process: str
    depth: int
    start_ms: float
    duration_ms: float
    left_pct: float
    width_pct: float
    error: str
    attributes: dict[str, str]


class Waterfall(msgspec.Struct, frozen=True, kw_only=True):
    trace_id: str
    duration_ms: float
    processes: int
    bars: list[Bar]


def waterfall(trace_id: str, spans: list[SpanRecord]) -> Waterfall:
    """Rows depth-first from the roots (spans whose parent is not in the trace), children by start."""
    if not spans:
        return Waterfall(trace_id=trace_id, duration_ms=0.0, processes=0, bars=[])
    start = min(s.start_ns for s in spans)
    end = max(s.end_ns for s in spans)
    total = max(end - start, 1)
    ids = {s.span_id for s in spans}
    children: dict[str, list[SpanRecord]] = {}
    roots = []
    ordered = sorted(spans, key=lambda s: (s.start_ns, s.span_id))
    for s in ordered:
        if s.parent_id and s.parent_id in ids and s.parent_id != s.span_id:
            children.setdefault(s.parent_id, []).append(s)
        else:
            roots.append(s)
    bars: list[Bar] = []
    seen: set[str] = set()
    stack = [(r, 0) for r in reversed(roots)]
    while True:
        if not stack:  # spans only reachable through a parent loop: the earliest becomes a root
            rest = [s for s in ordered if s.span_id not in seen]
            if not rest:
                break
            stack = [(rest[0], 0)]
        s, depth = stack.pop()
        if s.span_id in seen:
            continue  # a span listed twice: show it once
        seen.add(s.span_id)
        bars.append(
            Bar(
                span_id=s.span_id,
                parent_id=s.parent_id,
                name=s.name,
                kind=s.kind,
                process=s.process,
                depth=depth,
                start_ms=(s.start_ns - start) / 1e6,
                duration_ms=s.duration_ms,
                left_pct=100 * (s.start_ns - start) / total,
                width_pct=max(0.2, 100 * (s.end_ns - s.start_ns) / total),
                error=s.error,
                attributes=dict(s.attributes),
            )
        )
        stack.extend((c, depth + 1) for c in reversed(children.get(s.span_id, [])))
    return Waterfall(trace_id=trace_id, duration_ms=total / 1e6, processes=len({s.process for s in spans}), bars=bars)
