"""A small asyncio HTTP/1.1 client with keep-alive, for tests and the load generator.

Enough for talking to our own frontend: Content-Length or chunked bodies, one request at a
time per connection. Kept dependency-free so that every variant is measured with one client.
"""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apps.boutique.browser import Browser, Response

MAX_HEADER_LINES = 100


class HttpConnection:
    """One keep-alive connection to host:port; reconnects when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Response:
        """Send one request and read its response.

        A kept-alive connection that the server closed while idle is reopened and the request
        sent again, once, as browsers do.
        """
        reused = self._writer is not None and not self._writer.is_closing()
        try:
            return await self._request(method, path, headers, body)
        except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as e:
            nothing_read = not isinstance(e, asyncio.IncompleteReadError) or not e.partial
            if not (reused and nothing_read):
                raise
        return await self._request(method, path, headers, body)

    async def _request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Response:
        if self._writer is None or self._writer.is_closing():
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            sock = self._writer.get_extra_info("socket")
            if sock is not None:  # no Nagle delay between our small writes and the reply
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        assert self._reader is not None and self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}", f"content-length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            resp = await self._read_response(self._reader)
        except BaseException:
            await self.close()
            raise
        if (resp.header("connection") or "").lower() == "close":
            await self.close()
        return resp

    async def _read_response(self, reader: asyncio.StreamReader) -> Response:
        status_line = (await reader.readuntil(b"\r\n")).decode("latin-1")
        status = int(status_line.split(" ", 2)[1])
        headers: list[tuple[str, str]] = []
        for _ in range(MAX_HEADER_LINES):
            line = (await reader.readuntil(b"\r\n")).decode("latin-1").rstrip("\r\n")
            if not line:
                break
            k, _, v = line.partition(":")
            headers.append((k.strip().lower(), v.strip()))
        hdrs = dict(headers)
        if "content-length" in hdrs:
            body = await reader.readexactly(int(hdrs["content-length"]))
        elif hdrs.get("transfer-encoding", "").lower() == "chunked":
            body = await _read_chunked(reader)
        else:
            body = await reader.read()
            await self.close()
        return Response(status, headers, body)

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except OSError:
                pass
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        data = await reader.readexactly(size + 2)
        if size == 0:
            return b"".join(chunks)
        chunks.append(data[:-2])


@dataclass
class HttpBrowser(Browser):
    """A browser-like client of one site: a cookie jar and redirects followed as GETs."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)
    _conn: HttpConnection | None = None

    async def _send(self, method: str, path: str, hdrs: dict[str, str], body: bytes) -> Response:
        if self._conn is None:
            url = urlsplit(self.base_url)
            self._conn = HttpConnection(url.hostname or "127.0.0.1", url.port or 80)
        return await self._conn.request(method, path, hdrs, body)

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
