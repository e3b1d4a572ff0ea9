"""The runtime's entry points for tracing: each returns its argument unchanged when tracing is off.

They decide on `state.tracer()` first and import the OpenTelemetry-based wrappers (`calls`,
`http`) only when it is on, so code paths with tracing off never load OpenTelemetry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, TypeVar

from weaver.tracing import state

if TYPE_CHECKING:
    from weaver.tracing.calls import Handler
    from weaver.tracing.http import ASGIApp

S = TypeVar("S")


def wrap_stub(stub: object, component: str, methods: Iterable[str], caller: str, remote: bool) -> object:
    """The traced twin of `stub` (a client stub when `remote`, else a local one), or `stub` itself."""
    if state.tracer() is None:
        return stub
    from weaver.tracing import calls

    return calls.wrap_stub(stub, component, methods, caller, remote)


def wrap_handlers(handlers: dict[int, Handler], component: str, names: Mapping[int, str]) -> dict[int, Handler]:
    """Server-side spans around `handlers` (key -> handler), or `handlers` itself."""
    if state.tracer() is None:
        return handlers
    from weaver.tracing import calls

    return calls.wrap_handlers(handlers, component, names)


def wrap_asgi(app: ASGIApp, listener: str) -> ASGIApp:
    """`app` with a server span per HTTP request, or `app` itself."""
    if state.tracer() is None:
        return app
    from weaver.tracing import http

    return http.wrap_asgi(app, listener)
