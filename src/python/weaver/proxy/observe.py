"""Per proxied request, when asked for: a root span and an access log entry.

`Proxy(observer=Observer(...))` turns it on; with no observer (the default) the proxy runs the
same code as before plus one `is None` test per request. The span (OpenTelemetry, through
`weaver.tracing`, so it is only loaded when tracing is on) is the root of the request's trace,
or the child of the client's W3C `traceparent`; its context goes to the version's listener as
`traceparent`, so the listener's span is its child. The access log entry (`weaver.access`
logger, `where` = the proxy's name) carries method, path, status, bytes, duration, version and
the trace id.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from weaver.internal import accesslog
from weaver.tracing import parse_traceparent, state, traceparent

if TYPE_CHECKING:
    from weaver.proxy.exchange import Exchange


class Observer:
    """Starts and ends a proxied request's span, and logs it; made once per proxy."""

    def __init__(self, name: str = "proxy", access_log: bool = True, trace: bool = True) -> None:
        self.name = name
        self.access_log = access_log
        self.tracer = state.tracer() if trace else None
        """The process's tracer (`weaver.tracing.configure` first), None: no spans."""

    def begin(self, ex: Exchange) -> None:
        """`ex` has its head: start its span (sampled roots only) and note its start."""
        ex.observed = True
        tracer = self.tracer
        if tracer is None:
            return
        value = next((v for k, v in ex.headers if k.lower() == b"traceparent"), None)
        parent = parse_traceparent(value.decode("latin-1")) if value else None
        if parent is None and not state.sample_root():
            return
        from weaver.tracing import context  # OpenTelemetry: only once tracing is on

        method, path = ex.method.decode("latin-1"), ex.url.split(b"?", 1)[0].decode("latin-1")
        attrs = {"http.method": method, "http.target": path, "weaver.listener": self.name}
        span = context.start(tracer, f"proxy {method} {path}", context.SpanKind.SERVER, parent, attrs)
        if span.is_recording():
            ex.span = span
            ex.trace = traceparent(context.ids(span)).encode()

    def end(self, ex: Exchange, aborted: bool) -> None:
        """`ex` is finished (answered, failed or cut off by the client): end its span, log it."""
        version = ex.route.version if ex.route is not None else ""
        status = 499 if aborted and not ex.status else ex.status
        span = ex.span
        trace_id = ""
        if span is not None:
            from weaver.tracing import context

            span.set_attribute("http.status_code", status)
            span.set_attribute("weaver.version", version)
            if status >= 500 or aborted:
                span.set_status(context.Status(context.StatusCode.ERROR, "aborted" if aborted else f"HTTP {status}"))
            trace_id = f"{span.get_span_context().trace_id:032x}"
            span.end()
        if self.access_log:
            method, path = ex.method.decode("latin-1"), ex.url.split(b"?", 1)[0].decode("latin-1")
            seconds = time.perf_counter() - ex.started
            accesslog.record(self.name, method, path, status, ex.sent, seconds, trace_id, version=version)
