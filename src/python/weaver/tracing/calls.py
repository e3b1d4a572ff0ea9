"""Spans around component method calls: a traced twin of a stub, and of a server's handlers.

Picked once, when a stub or the handlers are made (`tracer()` is None: the plain ones are
used as they are). A traced call whose context is not sampled costs a context-variable read
and a branch, then runs the plain stub's call; only sampled calls start spans.

- caller's side, remote: a `client` span, its ids put in `callctx.trace` so the transport
  sends them in the request frame;
- callee's side: a `server` span, child of the ids that arrived with the request;
- co-located: one `internal` span.

A call with no trace context starts a new trace (the sampler decides) only when it is made
outside a component or by the main component's own code; elsewhere (inside a handler whose
caller did not trace) it stays untraced, so a trace never starts half-way down a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer

from weaver.internal import callctx
from weaver.tracing import state
from weaver.tracing.context import Trace, ids, start, unsampled

T = TypeVar("T")
Handler = Callable[[bytes], Awaitable[bytes]]
MAIN = "weaver.Main"

_trace = callctx.trace


async def traced(
    tracer: Tracer, awaitable: Awaitable[T], name: str, kind: SpanKind, parent: Trace | None, attrs: Mapping[str, str]
) -> T:
    """Await `awaitable` inside a new span (a root when `parent` is None and the root is sampled)."""
    span = start(tracer, name, kind, parent, attrs) if parent is not None or state.sample_root() else None
    if span is None or not span.is_recording():
        token = unsampled.set(True)
        try:
            return await awaitable
        finally:
            unsampled.reset(token)
    token_t = _trace.set(ids(span))
    token_o = otel_context.attach(trace.set_span_in_context(span))
    try:
        return await awaitable
    except BaseException as e:
        span.set_status(Status(StatusCode.ERROR, type(e).__name__))
        raise
    finally:
        otel_context.detach(token_o)
        _trace.reset(token_t)
        span.end()


def _method(
    tracer: Tracer, inner: Callable[..., Awaitable[Any]], name: str, kind: SpanKind, root: bool, attrs: dict[str, str]
) -> Callable[..., Awaitable[Any]]:
    def call(*args: Any, **kwargs: Any) -> Awaitable[Any]:
        t = _trace.get()
        if t is None:
            if not root or unsampled.get():
                return inner(*args, **kwargs)
        elif not t[2] & 1:
            return inner(*args, **kwargs)
        return traced(tracer, inner(*args, **kwargs), name, kind, t, attrs)

    call.__name__ = inner.__name__
    return call


class TracedStub:
    """A stub whose methods start spans (the plain stub's methods do the call)."""

    def __init__(self, stub: object, methods: dict[str, Callable[..., Awaitable[Any]]]) -> None:
        self._weaver_stub = stub
        for name, fn in methods.items():
            setattr(self, name, fn)

    def __repr__(self) -> str:
        return f"Traced({self._weaver_stub!r})"


def wrap_stub(stub: object, component: str, methods: Iterable[str], caller: str, remote: bool) -> object:
    """The traced twin of `stub` (a client stub when `remote`, else a local one), or `stub` itself."""
    tracer = state.tracer()
    if tracer is None:
        return stub
    kind = SpanKind.CLIENT if remote else SpanKind.INTERNAL
    root = caller in ("", MAIN)
    short = component.rsplit(".", 1)[-1]
    wrapped = {}
    for m in methods:
        attrs = {"weaver.component": component, "weaver.method": m, "weaver.caller": caller}
        attrs["weaver.remote"] = "true" if remote else "false"
        wrapped[m] = _method(tracer, getattr(stub, m), f"{short}.{m}", kind, root, attrs)
    return TracedStub(stub, wrapped)


def wrap_handlers(handlers: dict[int, Handler], component: str, names: Mapping[int, str]) -> dict[int, Handler]:
    """Server-side spans around `handlers` (key -> handler), or `handlers` itself."""
    tracer = state.tracer()
    if tracer is None:
        return handlers
    short = component.rsplit(".", 1)[-1]
    out = {}
    for k, h in handlers.items():
        method = names.get(k, str(k))
        out[k] = _handler(tracer, h, f"{short}.{method}", component, method)
    return out


def _handler(tracer: Tracer, inner: Handler, name: str, component: str, method: str) -> Handler:
    attrs = {"weaver.component": component, "weaver.method": method}

    async def serve(payload: bytes) -> bytes:
        t = _trace.get()  # set by the transport from the request frame, in this call's context
        if t is None or not t[2] & 1:
            return await inner(payload)
        return await traced(tracer, inner(payload), name, SpanKind.SERVER, t, attrs)

    return serve
