"""A small asyncio HTTP/1.1 client with keep-alive, for tests and the load generator.

Enough for talking to our own frontend: one request at a time per connection, responses parsed
by httptools (Content-Length, chunked, or delimited by the close). One client for every
variant, so that all are measured alike; an asyncio protocol rather than streams, because the
client's own time is part of every latency the benchmark reports.
"""

from __future__ import annotations

import asyncio
import socket
import time
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import urlsplit

import httptools

from apps.boutique.browser import Browser, Response, wait_until


class StaleConnection(ConnectionError):
    """The server closed a kept-alive connection before answering anything (safe to resend)."""


class _ResponseReader(asyncio.Protocol):
    """Parses the responses arriving on one connection, completing one future per response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.waiter: asyncio.Future[Response] | None = None
        self.closed = False
        self._got_bytes = False
        self._arrived = 0.0  # when the latest bytes were handed to us
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def expect(self) -> asyncio.Future[Response]:
        self._got_bytes = False
        self.waiter = asyncio.get_running_loop().create_future()
        return self.waiter

    def data_received(self, data: bytes) -> None:
        self._arrived = time.perf_counter()
        self._got_bytes = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._fail(ValueError(f"invalid HTTP response: {e}"))

    def eof_received(self) -> bool:
        return False  # close our side too; connection_lost settles the waiter

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.waiter is not None and not self.waiter.done() and self._got_bytes and not self._framed():
            self.on_message_complete()  # a body delimited by the close
        elif not self._got_bytes:
            self._fail(StaleConnection("connection closed before any response byte"))
        else:
            self._fail(asyncio.IncompleteReadError(b"", None))

    def _framed(self) -> bool:
        return any(k in ("content-length", "transfer-encoding") for k, _ in self._headers)

    def _fail(self, exc: BaseException) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc)
        if self.transport is not None:
            self.transport.close()

    # httptools callbacks.
    def on_message_begin(self) -> None:
        self._headers, self._body = [], []

    def on_header(self, name: bytes, value: bytes) -> None:
        self._headers.append((name.decode("latin-1").lower(), value.decode("latin-1")))

    def on_body(self, body: bytes) -> None:
        self._body.append(body)

    def on_message_complete(self) -> None:
        resp = Response(self.parser.get_status_code(), self._headers, b"".join(self._body), self._arrived)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(resp)
        if not self.parser.should_keep_alive() and self.transport is not None:
            self.transport.close()


class HttpConnection:
    """One keep-alive connection to host:port; reconnects when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._conn: _ResponseReader | None = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b"", send_at: float | None = None
    ) -> Response:
        """Send one request (not before `send_at`, if given) and read its response.

        A kept-alive connection that the server closed while idle is reopened and the request
        sent again, once, as browsers do.
        """
        reused = self._conn is not None and not self._conn.closed
        try:
            return await self._request(method, path, headers, body, send_at)
        except (StaleConnection, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
        return await self._request(method, path, headers, body, None)

    async def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes, send_at: float | None
    ) -> Response:
        conn = self._conn
        if conn is None or conn.closed:
            loop = asyncio.get_running_loop()
            _, conn = await loop.create_connection(_ResponseReader, self.host, self.port)
            self._conn = conn
            assert conn.transport is not None
            sock = conn.transport.get_extra_info("socket")
            if sock is not None:  # no Nagle delay between our small writes and the reply
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert conn.transport is not None
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}", f"content-length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        if send_at is not None:
            await wait_until(send_at)
        if conn.closed:  # closed by the server while we waited
            raise StaleConnection("connection closed before the request was sent")
        waiter = conn.expect()
        conn.transport.write(data)
        try:
            return await waiter
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and conn.transport is not None:
            conn.transport.close()


@dataclass
class HttpBrowser(Browser):
    """A browser-like client of one site: a cookie jar and redirects followed as GETs."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    _conn: HttpConnection | None = None

    async def _send(
        self, method: str, path: str, hdrs: dict[str, str], body: bytes, send_at: float | None
    ) -> Response:
        if self._conn is None:
            url = urlsplit(self.base_url)
            self._conn = HttpConnection(url.hostname or "127.0.0.1", url.port or 80)
        return await self._conn.request(method, path, hdrs, body, send_at)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
