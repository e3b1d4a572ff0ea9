"""Starting spans from weaver's own trace context (`callctx.trace`), and W3C `traceparent`.

`callctx.trace` holds (trace id, span id, flags) of the current span; the transport carries it
in its request frames, so a server's handler starts its span as the child of the client's.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, Status, StatusCode, TraceFlags, Tracer

from weaver.internal import callctx
from weaver.tracing.state import unsampled
from weaver.tracing.traceparent import Trace, parse_traceparent, traceparent

__all__ = [
    "SpanKind",
    "Status",
    "StatusCode",
    "Trace",
    "current",
    "ids",
    "parse_traceparent",
    "start",
    "traceparent",
    "unsampled",
]


def start(tracer: Tracer, name: str, kind: SpanKind, parent: Trace | None, attributes: Mapping[str, str]) -> Span:
    """A new span, child of `parent` (a remote or local span's ids), or a root when None."""
    ctx = None
    if parent is not None:
        tid, sid, flags = parent
        remote = SpanContext(tid, sid, is_remote=True, trace_flags=TraceFlags(flags))
        ctx = trace.set_span_in_context(NonRecordingSpan(remote))
    return tracer.start_span(name, context=ctx, kind=kind, attributes=attributes)


def ids(span: Span) -> Trace:
    """What `callctx.trace` holds while `span` is current."""
    c = span.get_span_context()
    return (c.trace_id, c.span_id, int(c.trace_flags))


def current() -> Trace | None:
    """The current span's ids, or None."""
    return callctx.trace.get()
