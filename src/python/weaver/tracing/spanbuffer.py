"""The span processor every traced process has: finished spans become `SpanRecord`s in a buffer.

A proclet drains the buffer into its reports to the manager; `weaver.testing` reads `finished`.
The buffer is bounded: when nobody drains it, the oldest records are dropped (and counted).
"""

from __future__ import annotations

from collections import deque

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.trace import SpanKind, StatusCode

from weaver.tracing.record import SpanRecord

_KINDS = {SpanKind.CLIENT: "client", SpanKind.SERVER: "server"}


def to_record(span: ReadableSpan, process: str) -> SpanRecord:
    """The SDK's finished span as a `SpanRecord`."""
    ctx = span.context
    assert ctx is not None
    parent = span.parent
    attrs = {k: str(v) for k, v in (span.attributes or {}).items()}
    error = ""
    if span.status.status_code is StatusCode.ERROR:
        error = span.status.description or "error"
    return SpanRecord(
        f"{ctx.trace_id:032x}",
        f"{ctx.span_id:016x}",
        f"{parent.span_id:016x}" if parent is not None else "",
        span.name,
        _KINDS.get(span.kind, "internal"),
        span.start_time or 0,
        span.end_time or 0,
        error,
        attrs,
        process,
    )


class Collector(SpanProcessor):
    """Keeps the latest `limit` finished spans until drained."""

    def __init__(self, process: str, limit: int = 10_000) -> None:
        self.process = process
        self.spans: deque[SpanRecord] = deque(maxlen=limit)
        self.dropped = 0

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        if len(self.spans) == self.spans.maxlen:
            self.dropped += 1
        self.spans.append(to_record(span, self.process))

    def drain(self) -> list[SpanRecord]:
        """The spans finished since the last drain (oldest first)."""
        out = list(self.spans)
        self.spans.clear()
        return out

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True
