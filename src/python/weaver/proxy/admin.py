"""The admin endpoint: how a rollout controller in another process drives a proxy.

JSON over HTTP/1.1 (keep-alive), meant for 127.0.0.1 only:

    GET  /table            the traffic table in force (table.Table)
    PUT  /table            replace it; 200 with the new table, 400 with a reason if malformed
    GET  /stats            cumulative per-version counters (stats.Snapshot)
    GET  /healthz          "ok"
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, cast

import httptools
import msgspec

from weaver.internal import http1
from weaver.proxy.table import TableError, decode_table, encode_table

if TYPE_CHECKING:
    from weaver.proxy.proxy import Proxy

MAX_BODY = 1 << 20


class AdminConnection(asyncio.Protocol):
    """One admin client; requests are small, so each is read whole, then answered."""

    def __init__(self, proxy: Proxy) -> None:
        self.proxy = proxy
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.url = b""
        self.body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as e:
            self._send(400, f"malformed request: {e}".encode(), close=True)

    def on_message_begin(self) -> None:
        self.url = b""
        self.body = bytearray()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_body(self, body: bytes) -> None:
        self.body += body
        if len(self.body) > MAX_BODY:
            raise ValueError("admin request body too large")

    def on_message_complete(self) -> None:
        status, body = self._handle(self.parser.get_method(), self.url.split(b"?")[0])
        self._send(status, body, close=not self.parser.should_keep_alive())

    def _handle(self, method: bytes, path: bytes) -> tuple[int, bytes]:
        if path == b"/table" and method == b"GET":
            return 200, encode_table(self.proxy.table)
        if path == b"/table" and method == b"PUT":
            try:
                self.proxy.set_table(decode_table(bytes(self.body)))
            except TableError as e:
                return 400, msgspec.json.encode({"error": str(e)})
            return 200, encode_table(self.proxy.table)
        if path == b"/stats" and method == b"GET":
            return 200, msgspec.json.encode(self.proxy.snapshot())
        if path == b"/healthz" and method == b"GET":
            return 200, b'"ok"'
        if path in (b"/table", b"/stats", b"/healthz"):
            return 405, msgspec.json.encode({"error": "method not allowed"})
        return 404, msgspec.json.encode({"error": "not found"})

    def _send(self, status: int, body: bytes, close: bool) -> None:
        if self.transport is None:
            return
        head = http1.status_line(status) + b"Content-Type: application/json\r\nContent-Length: %d\r\n" % len(body)
        self.transport.write(head + (b"Connection: close\r\n\r\n" if close else b"\r\n") + body)
        if close:
            self.transport.close()
