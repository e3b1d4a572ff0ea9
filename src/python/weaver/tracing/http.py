"""A span per HTTP request on a listener: ASGI middleware that reads W3C `traceparent`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from weaver.internal import callctx
from weaver.tracing import state
from weaver.tracing.context import ids, parse_traceparent, start, unsampled

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]


def header(scope: Message, name: bytes) -> str | None:
    """The first value of request header `name` (lowercase), decoded as latin-1."""
    for k, v in scope.get("headers", ()):
        if k.lower() == name:
            return bytes(v).decode("latin-1")
    return None


def wrap_asgi(app: ASGIApp, listener: str) -> ASGIApp:
    """`app` with a server span per HTTP request (the plain `app` when tracing is off)."""
    tracer = state.tracer()
    if tracer is None:
        return app

    async def traced_app(scope: Message, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        value = header(scope, b"traceparent")
        parent = parse_traceparent(value) if value else None
        method, path = str(scope.get("method", "")), str(scope.get("path", ""))
        attrs = {"http.method": method, "http.target": path, "weaver.listener": listener}
        sampled = parent is not None or state.sample_root()
        span = start(tracer, f"HTTP {method} {path}", SpanKind.SERVER, parent, attrs) if sampled else None
        if span is None or not span.is_recording():
            tok = unsampled.set(True)
            try:
                await app(scope, receive, send)
            finally:
                unsampled.reset(tok)
            return
        status = 0

        async def send_status(message: Message) -> None:
            nonlocal status
            if message.get("type") == "http.response.start":
                status = int(message.get("status", 0))
            await send(message)

        tok_t = callctx.trace.set(ids(span))
        tok_o = otel_context.attach(trace.set_span_in_context(span))
        try:
            await app(scope, receive, send_status)
        except BaseException as e:
            span.set_status(Status(StatusCode.ERROR, type(e).__name__))
            raise
        finally:
            otel_context.detach(tok_o)
            callctx.trace.reset(tok_t)
            span.set_attribute("http.status_code", status)
            if status >= 500:
                span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
            span.end()

    return traced_app
