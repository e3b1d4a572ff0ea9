"""The response half of a client connection: route, attach a backend, relay, account, fail.

`ClientConnection` (clientconn.py) adds request parsing; this base holds what happens once a
request has a head: which version serves it, which backend connection carries it, how the
response reaches the client, and what is counted for the version.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, cast

from weaver.internal import http1
from weaver.proxy import pin, tunnel
from weaver.proxy.backend import BackendConnection
from weaver.proxy.exchange import Exchange

if TYPE_CHECKING:
    from weaver.proxy.proxy import Proxy

_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_IDEMPOTENT = (b"GET", b"HEAD", b"OPTIONS")
_TO_CLIENT = http1.skipping(pin.HEADER.lower(), pin.REPINNED_HEADER.lower())


class Relay(asyncio.Protocol):
    """Relays exchanges of one client connection to backends of their versions."""

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        self.limits = proxy.limits
        self.transport: asyncio.Transport | None = None
        self.current: Exchange | None = None
        self.incoming: Exchange | None = None  # the request being read, once its head is in
        self.closing = False
        self._reading = True
        self._backend_paused = False
        self._client_paused = False
        self._cork: list[bytes] | None = None
        self._eof_sent = False

    # Supplied by the request side.
    def next_exchange(self) -> None:
        raise NotImplementedError

    def paused_reasons(self) -> bool:
        raise NotImplementedError

    def take_upgrade_bytes(self) -> bytes:
        raise NotImplementedError

    # asyncio.Protocol.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self.proxy.clients.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closing = True
        self.proxy.clients.discard(self)
        ex = self.current
        if ex is not None and not ex.done:
            if ex.backend is not None:
                ex.backend.close()
            self.finish(ex, aborted=True)

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

    # Routing.
    def start(self, ex: Exchange) -> None:
        """Choose the version and a backend connection for `ex`, and send it on."""
        ex.started = time.perf_counter()
        if self.proxy.observer is not None:
            self.proxy.observer.begin(ex)
        route = self.proxy.router.route(ex.pin)
        if route is None:
            self.proxy.stats.unrouted += 1
            self.fail(ex, 503, "no version is taking traffic on this listener")
            return
        ex.route = route
        c = ex.counters = self.proxy.stats.counters(route.version)
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
        conn = self.proxy.pool.take_idle((route.version, route.backends[0]))
        if conn is not None:
            conn.start(ex, self)
        else:
            self.proxy.spawn(self._connect(ex))

    async def _connect(self, ex: Exchange) -> None:
        assert ex.route is not None
        why = ""
        for address in ex.route.backends:
            try:
                conn = await self.proxy.pool.connect((ex.route.version, address))
            except (OSError, TimeoutError) as e:
                why = f"{address[0]}:{address[1]}: {e or 'connect timeout'}"
                continue
            if ex.done:
                self.proxy.pool.release(conn)
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
        vid = ex.version.encode()
        lines = [http1.status_line(status, reason)]
        names: list[bytes] = []
        lines += http1.end_to_end(headers, _TO_CLIENT, names)
        lines.append(pin.HEADER + b": " + vid + b"\r\n")
        if ex.route is not None and ex.route.repinned_from is not None:
            lines.append(pin.REPINNED_HEADER + b": " + ex.route.repinned_from.encode() + b"\r\n")
        if ex.cookie_pin != ex.version:
            lines.append(b"Set-Cookie: " + pin.set_cookie(ex.version) + b"\r\n")
        if status == 101:
            lines += [b"Upgrade: " + v + b"\r\n" for n, v in headers if n.lower() == b"upgrade"]
            lines.append(b"Connection: Upgrade\r\n")
        else:
            framing = http1.body_framing(status, ex.method == b"HEAD", b"content-length" in names, ex.http11)
            if framing is http1.Framing.CHUNKED:
                ex.chunked_out = True
                lines.append(b"Transfer-Encoding: chunked\r\n")
            elif framing is http1.Framing.CLOSE:
                ex.close_after = True
            if ex.close_after or not ex.request_done:
                ex.close_after = True
                lines.append(b"Connection: close\r\n")
        lines.append(b"\r\n")
        self.transport_write(b"".join(lines))
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
            self.proxy.spawn(self._connect(ex))
        elif ex.response_started:
            self.finish(ex, proxy_error=True)
            self.close_now()  # the client sees a truncated response, never a wrong one
        else:
            self.fail(ex, 502, f"version {ex.version}: {why}", proxy_error=True)

    def backend_paused(self, paused: bool) -> None:
        self._backend_paused = paused
        self.update_reading()

    def upgraded(self, ex: Exchange, backend: BackendConnection, rest: bytes) -> None:
        assert self.transport is not None and backend.transport is not None
        self.uncork()
        self.finish(ex)
        c = ex.counters
        self.proxy.pool.forget(backend)
        self.proxy.clients.discard(self)
        if c is not None:
            c.tunnels += 1
        transports = (self.transport, backend.transport)
        self.proxy.tunnels.update(transports)

        def closed() -> None:
            if c is not None:
                c.tunnels -= 1
            self.proxy.tunnels.difference_update(transports)

        tunnel.splice(self.transport, backend.transport, self.take_upgrade_bytes(), rest, closed)

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
        if ex.done:
            return
        ex.done = True
        self._backend_paused = False  # that backend no longer holds the client back
        if ex.observed and self.proxy.observer is not None:
            self.proxy.observer.end(ex, aborted)
        c = ex.counters
        if c is None:
            return
        c.in_flight -= 1
        if aborted:
            c.client_aborts += 1
            return
        if proxy_error:
            c.proxy_errors += 1
        else:
            c.status[min(ex.status // 100, 5)] += 1
        c.observe(time.perf_counter() - ex.started)

    def after(self, ex: Exchange) -> None:
        """`ex` is answered: close the connection or move to the next request."""
        if ex.close_after:
            self.close_gracefully()
        else:
            self.next_exchange()

    def update_reading(self) -> None:
        """Pause or resume reading from the client to keep buffering bounded."""
        want = not (self.closing or self._backend_paused or self.paused_reasons())
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
