"""A client connection: parses requests with httptools, routes each to one version, relays.

Requests on a keep-alive connection are served one at a time; pipelined ones wait (reading is
paused) so buffering stays bounded. Bodies stream both ways with flow control: a slow backend
pauses reading from the client, a slow client pauses reading from the backend.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import TYPE_CHECKING

import httptools

from weaver.internal import http1
from weaver.internal.idletimer import IdleTimer
from weaver.proxy import pin
from weaver.proxy.exchange import Exchange
from weaver.proxy.relay import Relay

if TYPE_CHECKING:
    from weaver.proxy.proxy import Proxy

log = logging.getLogger(__name__)


class Reject(Exception):
    """A request the proxy refuses before or while reading it (raised from parser callbacks)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class ClientConnection(Relay):
    """Server side of one client connection (request parsing and routing; see `Relay`)."""

    def __init__(self, proxy: Proxy) -> None:
        super().__init__(proxy)
        self.parser = httptools.HttpRequestParser(self)
        self.queue: deque[Exchange] = deque()  # pipelined requests waiting their turn
        self.pending_reject: Reject | None = None
        self.upgrade_rest: bytearray | None = None
        self.peer = b""
        self._url = b""
        self._headers: http1.Headers = []
        self._head_size = 0
        self._header_count = 0
        self._hosts = 0
        self._codings: list[bytes] = []
        self._in_head = True
        self._head_bytes = 0
        self._events = 0  # heads and messages completed: a read that saw one is not all head
        self._idle: IdleTimer | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        peer = transport.get_extra_info("peername")
        self.peer = str(peer[0]).encode() if isinstance(peer, tuple) else b"unknown"
        self._idle = IdleTimer(asyncio.get_running_loop(), self.limits.idle_timeout, self._idle_expired)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._idle is not None:
            self._idle.cancel()
        super().connection_lost(exc)

    def eof_received(self) -> bool:
        """A client may half-close after its request: answer it, then close."""
        ex = self.current
        if ex is not None and not ex.done and ex.request_done:
            ex.close_after = True
            return True
        return False

    def _idle_expired(self) -> None:
        if not self.closing:
            self.close_now()

    def data_received(self, data: bytes) -> None:
        if self.upgrade_rest is not None:
            self.upgrade_rest += data
            self.update_reading()
            return
        if self.closing or self.pending_reject is not None:
            return
        events = self._events
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as e:
            self.upgrade_rest = bytearray(data[e.args[0] :])
            self.update_reading()
        except httptools.HttpParserCallbackError as e:
            cause = e.__context__
            if not isinstance(cause, Reject):
                log.error("proxy bug while parsing a request", exc_info=cause)
                cause = Reject(500, "internal proxy error")
            self.reject(cause)
        except httptools.HttpParserError as e:
            self.reject(Reject(400, f"malformed request: {e}"))
        else:
            # Bound what httptools buffers for a head that never ends (it only calls on_header
            # once a header is complete): count reads spent wholly inside one head.
            if self._events != events:
                self._head_bytes = 0
            elif self._in_head:
                self._head_bytes += len(data)
                if self._head_bytes > self.limits.max_header_bytes + 4:
                    self.reject(Reject(431, "request headers too large"))

    # httptools callbacks.
    def on_message_begin(self) -> None:
        self._url = b""
        self._headers = []
        self._head_size = 0
        self._header_count = self._hosts = 0
        self._codings = []
        self._in_head = True

    def on_url(self, url: bytes) -> None:
        self._url += url
        if len(self._url) > self.limits.max_header_bytes:
            raise Reject(414, "request URL too long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + 4
        if self._head_size + len(self._url) > self.limits.max_header_bytes:
            raise Reject(431, "request headers too large")
        if self._in_head:
            self._header_count += 1
            if self._header_count > self.limits.max_headers:
                raise Reject(431, f"more than {self.limits.max_headers} header fields")
            n = name.lower()
            if n == b"transfer-encoding":
                self._codings += http1.transfer_codings(value)
            elif n == b"host":
                self._hosts += 1
            self._headers.append((name, value))  # not trailers, which are dropped

    def on_headers_complete(self) -> None:
        if self._idle is not None:
            self._idle.busy()
        self._in_head = False
        self._events += 1
        p = self.parser
        method = p.get_method()
        if method == b"CONNECT":
            raise Reject(405, "CONNECT is not supported by a reverse proxy")
        refusal = http1.head_refusal(p.get_http_version() == "1.1", self._hosts, self._codings)
        if refusal is not None:
            raise Reject(*refusal)
        ex = Exchange(method, self._url, self._headers, p.get_http_version() == "1.1")
        ex.keep_alive = ex.http11 and p.should_keep_alive()
        ex.upgrade = p.should_upgrade()
        ex.close_after = not ex.keep_alive or ex.upgrade
        self._read_head(ex)
        self.incoming = ex
        if self.current is None:
            self.current = ex
            self.start(ex)
        else:
            self.queue.append(ex)
            self.update_reading()

    def _read_head(self, ex: Exchange) -> None:
        length = 0
        forwarded = b""
        for name, value in ex.headers:
            n = name.lower()
            if n == b"content-length":
                length = int(value)
            elif n == b"transfer-encoding":
                ex.chunked_in = True
            elif n == b"cookie" and ex.cookie_pin is None:
                ex.cookie_pin = pin.cookie_pin(value)
            elif n == b"weaver-version":
                ex.pin = value.decode("latin-1").strip()
            elif n == b"x-forwarded-for":
                forwarded = value + b", "
            elif n == b"expect":
                if value.lower() != b"100-continue":
                    raise Reject(417, "only Expect: 100-continue is supported")
                ex.expect_continue = True
        limit = self.limits.max_body_bytes
        if limit is not None and length > limit:
            raise Reject(413, f"request body larger than {limit} bytes")
        ex.has_body = ex.chunked_in or length > 0
        ex.pin = ex.pin or ex.cookie_pin
        ex.forwarded_for = forwarded + self.peer

    def on_body(self, data: bytes) -> None:
        ex = self.incoming
        if ex is None:
            return
        ex.body_bytes += len(data)
        limit = self.limits.max_body_bytes
        if limit is not None and ex.body_bytes > limit:
            raise Reject(413, f"request body larger than {limit} bytes")
        if ex.pending is not None:
            ex.pending.append(data)
            self.update_reading()
        elif ex.backend is not None and not ex.done:
            ex.backend.send_body(data)

    def on_message_complete(self) -> None:
        ex, self.incoming = self.incoming, None
        self._in_head = True
        self._events += 1
        if ex is None:
            return
        ex.request_done = True
        if ex.done and self.closing:
            self.close_now()
        elif ex.backend is not None and ex.pending is None and not ex.done:
            ex.backend.end_body()

    # Turn-taking and refusals.
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
        self.proxy.stats.bad_requests += 1
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

    def paused_reasons(self) -> bool:
        """Whether reading from the client must pause (see `Relay.update_reading`)."""
        inc = self.incoming
        return bool(
            self.queue
            or self.upgrade_rest is not None
            or self.pending_reject is not None
            or (inc is not None and inc.pending is not None and inc.pending)
        )

    def take_upgrade_bytes(self) -> bytes:
        """Client bytes that followed the upgrade request, for the tunnel."""
        if self._idle is not None:
            self._idle.cancel()  # the connection is a tunnel now
        buffered = bytes(self.upgrade_rest or b"")
        self.upgrade_rest = None
        return buffered
