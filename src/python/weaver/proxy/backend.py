"""A keep-alive connection to one backend replica of one version, carrying one exchange at a time.

It writes the request (head, then body as it streams in) and parses the response with
httptools, handing head, body pieces and the end to the client side as they arrive.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol, cast

import httptools

from weaver.internal import http1
from weaver.proxy.exchange import Exchange

if TYPE_CHECKING:
    from weaver.proxy.pool import Pool

Key = tuple[str, tuple[str, int]]
"""(version, backend address): pooled connections are never shared between versions."""


class ClientSide(Protocol):
    """What a backend connection reports to the client connection it serves."""

    def response_head(self, ex: Exchange, status: int, reason: bytes, headers: http1.Headers) -> None: ...
    def response_body(self, ex: Exchange, data: bytes) -> None: ...
    def response_end(self, ex: Exchange) -> None: ...
    def backend_failed(self, ex: Exchange, why: str, retry: bool) -> None: ...
    def upgraded(self, ex: Exchange, backend: BackendConnection, rest: bytes) -> None: ...
    def backend_paused(self, paused: bool) -> None: ...
    def cork(self) -> None: ...
    def uncork(self) -> None: ...


class BackendConnection(asyncio.Protocol):
    """Client of one backend; reusable once a response is complete and both sides allow it."""

    def __init__(self, pool: Pool, key: Key) -> None:
        self.pool = pool
        self.key = key
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.ex: Exchange | None = None
        self.client: ClientSide | None = None
        self.closed = False
        self.uses = 0
        self._got_bytes = False
        self._reset_message()

    def _reset_message(self) -> None:
        self._reason = b""
        self._headers: http1.Headers = []
        self._interim = False
        self._upgrading = False
        self._head_only_done = False
        self._in_head = True

    # Request side.
    def start(self, ex: Exchange, client: ClientSide) -> None:
        """Begin `ex` on this connection: send its head and whatever body is buffered."""
        assert self.transport is not None and ex.pending is not None
        self.ex, self.client = ex, client
        self.uses += 1
        self._got_bytes = False
        ex.backend = self
        pending, ex.pending = ex.pending, None
        if pending and not ex.chunked_in:
            self.transport.writelines([ex.request_head(), *pending])
        else:
            self.transport.write(ex.request_head())
            for data in pending:
                self.send_body(data)
        if ex.request_done:
            self.end_body()

    def send_body(self, data: bytes) -> None:
        """Forward a piece of request body."""
        assert self.transport is not None and self.ex is not None
        if self.ex.chunked_in:
            self.transport.writelines((http1.chunk_header(len(data)), data, b"\r\n"))
        else:
            self.transport.write(data)

    def end_body(self) -> None:
        """The request body is complete."""
        assert self.transport is not None and self.ex is not None
        if self.ex.chunked_in:
            self.transport.write(http1.LAST_CHUNK)

    def close(self) -> None:
        """Drop the connection (and with it any exchange still on it, without reporting)."""
        self.ex = self.client = None
        if self.transport is not None:
            self.transport.close()
        self.closed = True

    # asyncio.Protocol.
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        if self.ex is None:
            self.close()  # bytes nobody asked for: the connection is out of sync
            return
        self._got_bytes = True
        client = self.client
        if client is not None:
            client.cork()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as e:
            ex, client = self.ex, self.client
            self.ex = self.client = None
            if ex is not None and client is not None:
                client.upgraded(ex, self, data[e.args[0] :])
            return
        except httptools.HttpParserError as e:
            self._fail(f"invalid response: {e}")
            return
        finally:
            if client is not None:
                client.uncork()
        if self._head_only_done:  # HEAD response: httptools would wait for a body
            keep_alive = self.parser.should_keep_alive()
            self.parser = httptools.HttpResponseParser(self)
            self._complete(keep_alive)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.pool.forget(self)
        ex = self.ex
        if ex is None:
            return
        if ex.response_started and not ex.chunked_out and not self._framed():
            self._complete(False)  # body delimited by the close
        else:
            self._fail("connection closed by backend" + (f" ({exc})" if exc else ""))

    def pause_writing(self) -> None:
        if self.client is not None:
            self.client.backend_paused(True)

    def resume_writing(self) -> None:
        if self.client is not None:
            self.client.backend_paused(False)

    # httptools callbacks.
    def on_message_begin(self) -> None:
        self._reset_message()

    def on_status(self, status: bytes) -> None:
        self._reason += status

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._in_head:
            self._headers.append((name, value))

    def on_headers_complete(self) -> None:
        self._in_head = False
        status = self.parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self._interim = True  # 100 Continue and friends: the proxy answered those itself
            return
        assert self.ex is not None and self.client is not None
        self._upgrading = status == 101
        self.client.response_head(self.ex, status, self._reason, self._headers)
        if self.ex is not None and self.ex.method == b"HEAD":
            self._head_only_done = True

    def on_body(self, body: bytes) -> None:
        if self.ex is not None and self.client is not None and not self._head_only_done:
            self.client.response_body(self.ex, body)

    def on_message_complete(self) -> None:
        if not (self._interim or self._upgrading or self._head_only_done):
            self._complete(self.parser.should_keep_alive())

    # Endings.
    def _framed(self) -> bool:
        return any(n.lower() in (b"content-length", b"transfer-encoding") for n, _ in self._headers)

    def _complete(self, keep_alive: bool) -> None:
        ex, client = self.ex, self.client
        self.ex = self.client = None
        if ex is None or client is None:
            return
        if self.closed or not ex.request_done or not keep_alive:
            self.close()
        else:
            self.pool.release(self)
        client.response_end(ex)

    def _fail(self, why: str) -> None:
        ex, client = self.ex, self.client
        retry = self.uses > 1 and not self._got_bytes
        self.close()
        if ex is not None and client is not None:
            client.backend_failed(ex, why, retry)
