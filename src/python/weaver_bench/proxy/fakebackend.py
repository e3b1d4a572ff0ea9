"""A scriptable HTTP backend for the proxy's tests and benchmark (not for production).

Paths choose the behaviour: `/` answers "ok"; `/echo` streams the request body back as it
arrives; `/stream?n=&ms=` sends n chunks ms apart; `/slow?ms=` answers late; `/big?n=` sends n
bytes; `/status/N` answers N; `/die` dies mid-body; `/die-early` closes without answering;
`/ws` accepts a WebSocket upgrade and echoes raw bytes. Every response names the backend
(`X-Backend`) and the version header it received (`X-Seen-Version`).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections import deque
from typing import cast
from urllib.parse import parse_qs, urlsplit

import httptools

_WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class _Conn(asyncio.Protocol):
    def __init__(self, backend: FakeBackend) -> None:
        self.backend = backend
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)
        self.raw = False
        self.url = b""
        self.headers: dict[bytes, bytes] = {}
        self.body_bytes = 0
        self.path = ""
        self.query: dict[str, list[str]] = {}

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses
        self.backend.conns.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self.backend.conns.discard(self)

    def data_received(self, data: bytes) -> None:
        if self.raw:
            self.write(data)
            return
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade as e:
            self._upgrade(data[e.args[0] :])
        except httptools.HttpParserError:
            self.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            self.close()

    def write(self, data: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def on_message_begin(self) -> None:
        self.url, self.headers, self.body_bytes = b"", {}, 0

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.lower()] = value

    def on_headers_complete(self) -> None:
        parts = urlsplit(self.url.decode())
        self.path, self.query = parts.path, parse_qs(parts.query)
        self.backend.seen.append((self.parser.get_method().decode(), self.path, dict(self.headers)))
        if self.path == "/echo":
            self.write(self._head(200, [b"Transfer-Encoding: chunked"]))

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        if self.path == "/echo":
            self.write(b"%x\r\n%b\r\n" % (len(body), body))

    def on_message_complete(self) -> None:
        if self.parser.should_upgrade() and self.path == "/ws":
            return
        q = {k: int(v[0]) for k, v in self.query.items()}
        p = self.path
        if p == "/echo":
            self.write(b"0\r\n\r\n")
        elif p == "/die":
            self.write(self._head(200, [b"Content-Length: 100"]) + b"x" * 10)
            self.close()
        elif p == "/die-early":
            self.close()
        elif p == "/slow":
            asyncio.get_running_loop().call_later(q.get("ms", 100) / 1000, self._simple, 200, b"ok")
        elif p == "/stream":
            asyncio.get_running_loop().create_task(self._stream(q.get("n", 3), q.get("ms", 10)))
        elif p == "/big":
            self._simple(200, b"b" * q.get("n", 1000))
        elif p.startswith("/status/"):
            self._simple(int(p.rsplit("/", 1)[1]), b"status")
        else:
            self._simple(200, b"ok")

    def _head(self, status: int, extra: list[bytes]) -> bytes:
        seen = self.headers.get(b"weaver-version", b"-")
        lines = [b"HTTP/1.1 %d X" % status, b"X-Backend: " + self.backend.name.encode()]
        lines += [b"X-Seen-Version: " + seen, b"X-Body-Bytes: %d" % self.body_bytes, *extra]
        return b"\r\n".join(lines) + b"\r\n\r\n"

    def _simple(self, status: int, body: bytes) -> None:
        head = self._head(status, [b"Content-Length: %d" % len(body)])
        self.write(head + (b"" if self.parser.get_method() == b"HEAD" else body))

    async def _stream(self, n: int, ms: int) -> None:
        self.write(self._head(200, [b"Transfer-Encoding: chunked"]))
        for i in range(n):
            await asyncio.sleep(ms / 1000)
            self.write(b"%x\r\nchunk%d\r\n" % (len(b"chunk%d" % i), i))
        self.write(b"0\r\n\r\n")

    def _upgrade(self, rest: bytes) -> None:
        if self.path != "/ws":  # answered normally in on_message_complete
            self.close()
            return
        key = self.headers.get(b"sec-websocket-key", b"")
        accept = base64.b64encode(hashlib.sha1(key + _WS_GUID).digest())
        extra = [b"Upgrade: websocket", b"Connection: Upgrade", b"Sec-WebSocket-Accept: " + accept]
        self.write(self._head(101, extra))
        self.raw = True
        if rest:
            self.write(rest)


class FakeBackend:
    """One fake listener replica named `name`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: deque[tuple[str, str, dict[bytes, bytes]]] = deque(maxlen=1000)  # the latest requests
        self.conns: set[_Conn] = set()
        self.server: asyncio.Server | None = None
        self.address = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen; returns "host:port"."""
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: _Conn(self), host, port, backlog=1024)
        h, p = self.server.sockets[0].getsockname()[:2]
        self.address = f"{h}:{p}"
        return self.address

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        if self.server is not None:
            self.server.close()
            for conn in list(self.conns):
                conn.close()
            await self.server.wait_closed()
            self.server = None
