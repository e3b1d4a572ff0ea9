"""A client connection: each request it carries is routed to one version and relayed.

Requests on a keep-alive connection are served one at a time; pipelined ones wait (reading is
paused) so buffering stays bounded. Bodies stream both ways with flow control: a slow backend
pauses reading from the client, a slow client pauses reading from the backend. Parsing is
`RequestParser`'s; this is the connection's turn-taking, relaying and endings.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import cast

from weaver.internal import http1
from weaver.internal.idletimer import IdleTimer
from weaver.proxy import pin, tunnel
from weaver.proxy.backend import BackendConnection
from weaver.proxy.context import ProxyContext
from weaver.proxy.exchange import Exchange
from weaver.proxy.requestparser import Reject, RequestParser
from weaver.proxy.responsehead import client_head

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_IDEMPOTENT = (b"GET", b"HEAD", b"OPTIONS")


class ClientConnection(asyncio.Protocol):
    """Server side of one client connection; the client side of its backend connections."""

    def __init__(self, ctx: ProxyContext) -> None:
        self.ctx = ctx
        self.limits = ctx.limits
        self.transport: asyncio.Transport | None = None
        self.parser: RequestParser | None = None
        self.current: Exchange | None = None  # the request being answered
        self.incoming: Exchange | None = None  # the request being read, once its head is in
        self.queue: deque[Exchange] = deque()  # pipelined requests waiting their turn
        self.pending_reject: Reject | None = None
        self.upgrade_rest: bytearray | None = None
        self.closing = False
        self._reading = True
        self._backend_paused = False
        self._client_paused = False
        self._cork: list[bytes] | None = None
        self._eof_sent = False
        self._idle: IdleTimer | None = None

    # asyncio.Protocol.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self.ctx.clients.add(self)
        peer = transport.get_extra_info("peername")
        self.parser = RequestParser(
            self.limits, self, str(peer[0]).encode() if isinstance(peer, tuple) else b"unknown"
        )
        self._idle = IdleTimer(asyncio.get_running_loop(), self.limits.idle_timeout, self._idle_expired)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        self.closing = True
        self.ctx.clients.discard(self)
        ex = self.current
        if ex is not None and not ex.done:
            if ex.backend is not None:
                ex.backend.close()
            self.finish(ex, aborted=True)

    def data_received(self, data: bytes) -> None:
        if self.upgrade_rest is not None:
            self.upgrade_rest += data
            self.update_reading()
            return
        if self.closing or self.pending_reject is not None or self.parser is None:
            return
        try:
            self.upgrade_rest = self.parser.feed(data)
        except Reject as r:
            self.reject(r)
            return
        if self.upgrade_rest is not None:
            self.update_reading()

    def eof_received(self) -> bool:
        """A client may half-close after its request: answer it, then close."""
        ex = self.current
        if ex is not None and not ex.done and ex.request_done:
            ex.close_after = True
            return True
        return False

    def pause_writing(self) -> None:
        self._client_paused = True
        self._pause_backend(True)

    def resume_writing(self) -> None:
        self._client_paused = False
        self._pause_backend(False)

    def _pause_backend(self, paused: bool) -> None:
        ex = self.current
        if ex is not None and ex.backend is not None and ex.backend.transport is not None:
            t = ex.backend.transport
            t.pause_reading() if paused else t.resume_reading()

    def _idle_expired(self) -> None:
        if not self.closing:
            self.close_now()

    # Requests, as parsed (requestparser.RequestSink).
    def request_head(self, ex: Exchange) -> None:
        if self._idle is not None:
            self._idle.busy()
        self.incoming = ex
        if self.current is None:
            self.current = ex
            self.start(ex)
        else:
            self.queue.append(ex)
            self.update_reading()

    def request_body(self, ex: Exchange, data: bytes) -> None:
        if ex.pending is not None:
            ex.pending.append(data)
            self.update_reading()
        elif ex.backend is not None and not ex.done:
            ex.backend.send_body(data)

    def request_end(self, ex: Exchange) -> None:
        self.incoming = None
        if ex.done and self.closing:
            self.close_now()
        elif ex.backend is not None and ex.pending is None and not ex.done:
            ex.backend.end_body()

    # Routing.
    def start(self, ex: Exchange) -> None:
        """Choose the version and a backend connection for `ex`, and send it on."""
        ex.started = time.perf_counter()
        ctx = self.ctx
        if ctx.observer is not None:
            ctx.observer.begin(ex)
        route = ctx.router.route(ex.pin)
        if route is None:
            ctx.stats.unrouted += 1
            self.fail(ex, 503, "no version is taking traffic on this listener")
            return
        ex.route = route
        c = ex.counters = ctx.stats.counters(route.version)
        c.requests += 1
        c.in_flight += 1
        c.last_request = time.monotonic()
        c.pinned += route.pinned
        c.repinned += route.repinned_from is not None
        if not route.backends:
            self.fail(ex, 503, f"version {route.version} has no backends", proxy_error=True)
            return
        if ex.expect_continue:
            self.transport_write(_CONTINUE)
        conn = ctx.pool.take_idle((route.version, route.backends[0]))
        if conn is not None:
            conn.start(ex, self)
        else:
            ctx.spawn(self._connect(ex))

    async def _connect(self, ex: Exchange) -> None:
        assert ex.route is not None
        why = ""
        for address in ex.route.backends:
            try:
                conn = await self.ctx.pool.connect((ex.route.version, address))
            except (OSError, TimeoutError) as e:
                why = f"{address[0]}:{address[1]}: {e or 'connect timeout'}"
                continue
            if ex.done:
                self.ctx.pool.release(conn)
            else:
                conn.start(ex, self)
                self.update_reading()
            return
        if not ex.done:
            self.fail(ex, 502, f"version {ex.version}: no backend reachable ({why})", True)

    # Backend reports (backend.ClientSide).
    def response_head(self, ex: Exchange, status: int, reason: bytes, headers: http1.Headers) -> None:
        ex.status = status
        ex.response_started = True
        self.transport_write(client_head(ex, status, reason, headers))
        if self._client_paused:
            self._pause_backend(True)

    def response_body(self, ex: Exchange, data: bytes) -> None:
        ex.sent += len(data)
        if ex.chunked_out:
            self.transport_write(http1.chunk(data))
        else:
            self.transport_write(data)

    def response_end(self, ex: Exchange) -> None:
        if ex.chunked_out:
            self.transport_write(http1.LAST_CHUNK)
        self.finish(ex)
        self.after(ex)

    def backend_failed(self, ex: Exchange, why: str, retry: bool) -> None:
        if ex.done:
            return
        if retry and ex.method in _IDEMPOTENT and not ex.has_body and ex.request_done:
            ex.backend, ex.pending = None, []  # a stale keep-alive connection: one fresh try
            self.ctx.spawn(self._connect(ex))
        elif ex.response_started:
            self.finish(ex, proxy_error=True)
            self.close_now()  # the client sees a truncated response, never a wrong one
        else:
            self.fail(ex, 502, f"version {ex.version}: {why}", proxy_error=True)

    def backend_paused(self, paused: bool) -> None:
        self._backend_paused = paused
        self.update_reading()

    def upgraded(self, ex: Exchange, backend: BackendConnection, rest: bytes) -> None:
        """The backend accepted the upgrade: the connection becomes a tunnel to it."""
        assert self.transport is not None and backend.transport is not None
        self.uncork()
        self.finish(ex)
        ctx, c = self.ctx, ex.counters
        ctx.pool.forget(backend)
        ctx.clients.discard(self)
        if c is not None:
            c.tunnels += 1
        transports = (self.transport, backend.transport)
        ctx.tunnels.update(transports)

        def closed() -> None:
            if c is not None:
                c.tunnels -= 1
            ctx.tunnels.difference_update(transports)

        if self._idle is not None:
            self._idle.cancel()  # the connection is a tunnel now
        buffered = bytes(self.upgrade_rest or b"")
        self.upgrade_rest = None
        tunnel.splice(self.transport, backend.transport, buffered, rest, closed)

    # Endings.
    def fail(self, ex: Exchange, status: int, message: str, proxy_error: bool = False) -> None:
        """Answer `ex` with an error of the proxy's own (or cut it off if a response started)."""
        if ex.backend is not None:
            ex.backend.close()
        if ex.response_started:
            self.finish(ex, proxy_error=True)
            self.close_now()
            return
        ex.status = status
        close = ex.close_after or (ex.has_body and not ex.request_done)  # else it ends right away
        extra = [(pin.HEADER, ex.version.encode())] if ex.route is not None else []
        self.transport_write(http1.error_response(status, message, extra, close))
        self.finish(ex, proxy_error=proxy_error)
        ex.close_after = close
        self.after(ex)

    def finish(self, ex: Exchange, proxy_error: bool = False, aborted: bool = False) -> None:
        """Count `ex` once, for its version."""
        if ex.finish(proxy_error, aborted):
            self._backend_paused = False  # that backend no longer holds the client back
            if ex.observed and self.ctx.observer is not None:
                self.ctx.observer.end(ex, aborted)

    def after(self, ex: Exchange) -> None:
        """`ex` is answered: close the connection or move to the next request."""
        if ex.close_after:
            self.close_gracefully()
        else:
            self.next_exchange()

    def next_exchange(self) -> None:
        """The current exchange is over and the connection stays: serve the next one."""
        self.current = None
        if self.queue:
            self.current = self.queue.popleft()
            self.start(self.current)
        elif self.pending_reject is not None:
            self._refuse(self.pending_reject)
        elif not self.closing and self.incoming is None:
            if self._idle is not None:
                self._idle.idle()
        self.update_reading()

    def reject(self, r: Reject) -> None:
        """Answer a bad request with an error and close, after earlier requests are answered."""
        self.ctx.stats.bad_requests += 1
        self._refuse(r)

    def _refuse(self, r: Reject) -> None:
        ex = self.current
        if ex is not None and not ex.done and ex is not self.incoming:
            if self.incoming is not None and self.incoming in self.queue:
                self.queue.remove(self.incoming)
            self.pending_reject = r  # a later pipelined request is bad: answer it in turn
            self.incoming = None
            self.update_reading()
            return
        if ex is not None and not ex.done:
            ex.close_after = True
            self.fail(ex, r.status, r.message, proxy_error=False)
            return
        self.transport_write(http1.error_response(r.status, r.message))
        self.close_gracefully(lingering=True)  # the client may still be sending the bad head

    # Flow control and writing.
    def update_reading(self) -> None:
        """Pause or resume reading from the client to keep buffering bounded."""
        inc = self.incoming
        want = not (
            self.closing
            or self._backend_paused
            or self.queue
            or self.upgrade_rest is not None
            or self.pending_reject is not None
            or (inc is not None and inc.pending)
        )
        if self.closing and self.transport is not None:
            want = True  # lingering: read and discard until closed
        if want != self._reading and self.transport is not None:
            self._reading = want
            self.transport.resume_reading() if want else self.transport.pause_reading()

    def transport_write(self, data: bytes) -> None:
        if self._eof_sent:
            return  # lingering after the last response: nothing more goes out
        if self._cork is not None:
            self._cork.append(data)
        elif self.transport is not None:
            self.transport.write(data)

    def cork(self) -> None:
        """Hold writes until `uncork`: a response read in one piece leaves in one write."""
        if self._cork is None:
            self._cork = []

    def uncork(self) -> None:
        """Send what `cork` held."""
        out, self._cork = self._cork, None
        if out and self.transport is not None:
            self.transport.writelines(out)

    def close_gracefully(self, lingering: bool = False) -> None:
        """Close after the response. If the request is still arriving (or may be: `lingering`),
        end the proxy's side (FIN) and read it away for a while first, so the client sees the
        response rather than a reset."""
        if self.closing:
            return
        self.closing = True
        t = self.transport
        if (self.incoming is None and not lingering) or t is None:
            self.close_now()
            return
        self.uncork()
        if t.can_write_eof():
            t.write_eof()
            self._eof_sent = True
        self.update_reading()
        asyncio.get_running_loop().call_later(self.limits.linger, self.close_now)

    def close_now(self) -> None:
        self.uncork()
        self.closing = True
        if self.transport is not None:
            self.transport.close()
