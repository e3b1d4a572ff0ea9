"""Tracing with OpenTelemetry: spans per component call, per HTTP request, per proxied request.

`[weaver.tracing]` turns it on (it is on by default under `weaver multi` only); the runtime
calls `configure` and wraps stubs, handlers and listener apps when they are made. Finished
spans collect in the process (`collector()`), go to the manager in the proclet's reports, and
by OTLP/HTTP to a collector when `otlp_endpoint` is set. See docs/observability.md.

Importing this package does not import OpenTelemetry: only turning tracing on does.
"""

from weaver.tracing.record import SpanRecord
from weaver.tracing.state import collector, configure, shutdown, tracer
from weaver.tracing.traceparent import parse_traceparent, traceparent
from weaver.tracing.wrap import wrap_asgi, wrap_handlers, wrap_stub

__all__ = [
    "SpanRecord",
    "collector",
    "configure",
    "parse_traceparent",
    "shutdown",
    "traceparent",
    "tracer",
    "wrap_asgi",
    "wrap_handlers",
    "wrap_stub",
]
