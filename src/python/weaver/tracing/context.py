"""Starting spans from weaver's own trace context (`callctx.trace`), and W3C `traceparent`.

`callctx.trace` holds (trace id, span id, flags) of the current span; the transport carries it
in its request frames, so a server's handler starts its span as the child of the client's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from contextvars import ContextVar

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, Span, SpanContext, SpanKind, TraceFlags, Tracer

from weaver.internal import callctx

Trace = tuple[int, int, int]

unsampled: ContextVar[bool] = ContextVar("weaver_trace_unsampled", default=False)
"""True inside a request whose root decided not to record: nested calls make no new root."""

_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


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


def parse_traceparent(value: str) -> Trace | None:
    """The ids of a W3C `traceparent` header value (version 00), or None if it is malformed."""
    m = _TRACEPARENT.fullmatch(value.strip().lower())
    if m is None:
        return None
    tid, sid = int(m.group(1), 16), int(m.group(2), 16)
    if not tid or not sid:
        return None
    return (tid, sid, int(m.group(3), 16))


def traceparent(t: Trace) -> str:
    """The W3C `traceparent` header value for trace context `t`."""
    return f"00-{t[0]:032x}-{t[1]:016x}-{t[2] & 0xFF:02x}"


def current() -> Trace | None:
    """The current span's ids, or None."""
    return callctx.trace.get()
