"""The manager's recent traces: the latest N traces (by first span seen) of its version.

Proclets send finished spans in their reports (`weaver.runtime.messages.Spans`); spans of one
trace arrive from several processes in any order, so a trace is a bag keyed by trace id. The
oldest trace is dropped when a new one would make more than `keep`.
"""

from __future__ import annotations

from collections import OrderedDict

import msgspec

from weaver.tracing import SpanRecord


class TraceSummary(msgspec.Struct, frozen=True):
    """One trace for a listing: its root's name, span count, duration and whether a span failed."""

    trace_id: str
    root: str
    spans: int
    start_ns: int
    duration_ms: float
    error: bool
    processes: int


class TraceStore:
    """The latest `keep` traces, each with all the spans that reached the manager so far."""

    def __init__(self, keep: int = 100, max_spans: int = 2000) -> None:
        self.keep = keep
        self.max_spans = max_spans
        self._traces: OrderedDict[str, list[SpanRecord]] = OrderedDict()

    def add(self, spans: list[SpanRecord]) -> None:
        for s in spans:
            bag = self._traces.get(s.trace_id)
            if bag is None:
                bag = self._traces[s.trace_id] = []
                while len(self._traces) > self.keep:
                    self._traces.popitem(last=False)
            if len(bag) < self.max_spans:
                bag.append(s)

    def trace(self, trace_id: str) -> list[SpanRecord]:
        """The spans of `trace_id` in start order ([] if unknown or dropped)."""
        return sorted(self._traces.get(trace_id, []), key=lambda s: s.start_ns)

    def all_spans(self) -> list[SpanRecord]:
        return [s for bag in self._traces.values() for s in bag]

    def summaries(self) -> list[TraceSummary]:
        """One line per trace, newest first."""
        out = []
        for tid, bag in reversed(self._traces.items()):
            ids = {s.span_id for s in bag}
            roots = [s for s in bag if not s.parent_id or s.parent_id not in ids]
            root = min(roots or bag, key=lambda s: s.start_ns)
            start = min(s.start_ns for s in bag)
            end = max(s.end_ns for s in bag)
            procs = len({s.process for s in bag})
            error = any(s.error for s in bag)
            out.append(TraceSummary(tid, root.name, len(bag), start, (end - start) / 1e6, error, procs))
        return out
