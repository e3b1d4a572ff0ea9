"""One request/response pair as it crosses the proxy, and how its request head is rewritten."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from weaver.internal import http1
from weaver.proxy import pin
from weaver.proxy.router import Route

if TYPE_CHECKING:
    from opentelemetry.trace import Span

    from weaver.proxy.backend import BackendConnection
    from weaver.proxy.stats import Counters

_TO_BACKEND = http1.skipping(pin.HEADER.lower(), b"expect", b"x-forwarded-for")
_TO_BACKEND_TRACED = http1.skipping(pin.HEADER.lower(), b"expect", b"x-forwarded-for", b"traceparent")


class Exchange:
    """State of one request: parsed head, body framing, its route and its response's progress."""

    __slots__ = (
        "method",
        "url",
        "headers",
        "http11",
        "keep_alive",
        "upgrade",
        "chunked_in",
        "has_body",
        "expect_continue",
        "pin",
        "cookie_pin",
        "forwarded_for",
        "pending",
        "body_bytes",
        "request_done",
        "route",
        "counters",
        "backend",
        "started",
        "response_started",
        "chunked_out",
        "close_after",
        "status",
        "done",
        "observed",
        "sent",
        "span",
        "trace",
    )

    def __init__(self, method: bytes, url: bytes, headers: http1.Headers, http11: bool) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.http11 = http11
        self.keep_alive = http11
        self.upgrade = False
        self.chunked_in = False
        self.has_body = False
        self.expect_continue = False
        self.pin: str | None = None
        self.cookie_pin: str | None = None
        self.forwarded_for = b""
        self.pending: list[bytes] | None = []  # body received before a backend was attached
        self.body_bytes = 0
        self.request_done = False
        self.route: Route | None = None
        self.counters: Counters | None = None
        self.backend: BackendConnection | None = None
        self.started = 0.0
        self.response_started = False
        self.chunked_out = False
        self.close_after = not http11
        self.status = 0
        self.done = False
        self.observed = False  # the proxy's observer began it (observe.py)
        self.sent = 0  # response body bytes relayed
        self.span: Span | None = None
        self.trace: bytes | None = None  # the proxy span's traceparent, sent to the backend

    @property
    def version(self) -> str:
        """The version serving this exchange (only once routed)."""
        assert self.route is not None
        return self.route.version

    def finish(self, proxy_error: bool = False, aborted: bool = False) -> bool:
        """Mark the exchange done and count it once for its version; False if it already was."""
        if self.done:
            return False
        self.done = True
        c = self.counters
        if c is None:
            return True
        c.in_flight -= 1
        if aborted:
            c.client_aborts += 1
            return True
        if proxy_error:
            c.proxy_errors += 1
        else:
            c.status[min(self.status // 100, 5)] += 1
        c.observe(time.perf_counter() - self.started)
        return True

    def request_head(self) -> bytes:
        """The head sent to the backend: end-to-end headers plus the version and forwarding."""
        lines = [self.method, b" ", self.url, b" HTTP/1.1\r\n"]
        if self.trace is None:
            lines += http1.end_to_end(self.headers, _TO_BACKEND)
        else:
            lines += http1.end_to_end(self.headers, _TO_BACKEND_TRACED)
            lines.append(b"traceparent: " + self.trace + b"\r\n")
        lines.append(pin.HEADER + b": " + self.version.encode() + b"\r\n")
        lines.append(b"X-Forwarded-For: " + self.forwarded_for + b"\r\n")
        if self.upgrade:
            for name, value in self.headers:
                if name.lower() == b"upgrade":
                    lines.append(b"Upgrade: " + value + b"\r\n")
            lines.append(b"Connection: Upgrade\r\n")
        elif self.chunked_in:
            lines.append(b"Transfer-Encoding: chunked\r\n")
        lines.append(b"\r\n")
        return b"".join(lines)
