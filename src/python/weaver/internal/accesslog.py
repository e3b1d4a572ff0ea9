"""Structured access logs: one entry per HTTP request on a listener, and per proxied request.

Entries are ordinary log records of the `weaver.access` logger with the fields in `access`
(method, path, status, bytes, duration_ms, where) and the request's `trace_id`, so they reach
the same store as component logs (`weaver multi logs component=weaver.access trace_id=...`).
On by default under `weaver multi` (`[weaver] access_log`), off elsewhere; with it off the
listener serves the plain app.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from weaver.internal import callctx

log = logging.getLogger("weaver.access")

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Message, Receive, Send], Awaitable[None]]

_enabled = False


def configure(enabled: bool) -> None:
    """Log the requests of listeners served from now on (or not)."""
    global _enabled
    _enabled = enabled


def enabled() -> bool:
    return _enabled


def trace_id() -> str:
    """The current trace's id in hex when it is being recorded, else ""."""
    t = callctx.trace.get()
    return f"{t[0]:032x}" if t is not None and t[2] & 1 else ""


def record(
    where: str, method: str, path: str, status: int, size: int, seconds: float, trace: str, version: str = ""
) -> None:
    """Log one request (`where`: the listener's or the proxy's name; `version`: the one that served
    it, given by the proxy, whose own process has none)."""
    access = {
        "method": method,
        "path": path,
        "status": str(status),
        "bytes": str(size),
        "duration_ms": f"{seconds * 1e3:.3f}",
        "where": where,
    }
    if version:
        access["version"] = version
    extra = {"component": "weaver.access", "access": access, "trace_id": trace}
    log.info("%s %s %d %dB %.2fms", method, path, status, size, seconds * 1e3, extra=extra)


def wrap_asgi(app: ASGIApp, listener: str) -> ASGIApp:
    """`app` with an access log entry per HTTP request (`app` itself when access logs are off)."""
    if not _enabled:
        return app

    async def logged(scope: Message, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http":
            await app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = size = 0

        async def counting(message: Message) -> None:
            nonlocal status, size
            kind = message.get("type")
            if kind == "http.response.start":
                status = int(message.get("status", 0))
            elif kind == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await app(scope, receive, counting)
        except BaseException:
            status = status or 500
            raise
        finally:
            method, path = str(scope.get("method", "")), str(scope.get("path", ""))
            record(listener, method, path, status, size, time.perf_counter() - t0, trace_id())

    return logged
