"""The manager's Prometheus endpoint: `GET /metrics` on 127.0.0.1, plus the routes it is given.

A deliberately small HTTP/1.1 responder (one request per connection, then close): scrapers and
`weaver multi metrics` need nothing more, and it keeps the manager free of a web framework.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from weaver.metrics.exposition import CONTENT_TYPE, render
from weaver.metrics.snapshot import MetricSnapshot

MAX_HEAD = 8192
READ_TIMEOUT = 5.0
MAX_POST = 4 * 1024 * 1024
"""The largest request body a POST route reads (413 past it; weaver.runtime.ingest.MAX_BYTES)."""
PostRoute = Callable[[bytes], tuple[int, bytes]]
"""f(body) -> (status code, JSON body)."""


_REASONS = {200: "OK", 400: "Bad Request", 500: "Internal Server Error"}


class MetricsServer:
    """Serves `render(source())` at `/metrics`; `address` is `host:port` once started."""

    def __init__(
        self,
        source: Callable[[], list[MetricSnapshot]],
        routes: dict[bytes, Callable[[bytes], tuple[bytes, str]]] | None = None,
        posts: dict[bytes, PostRoute] | None = None,
    ) -> None:
        self._source = source
        self.routes = dict(routes or {})
        """More GET paths: path -> f(query) returning (body, content type), e.g. the manager's /traces."""
        self.posts = dict(posts or {})
        """POST paths: path -> f(body) returning (status, JSON body), e.g. the manager's /ingest."""
        self._server: asyncio.AbstractServer | None = None
        self.address = ""

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = await asyncio.start_server(self._serve, host, port, reuse_address=True)
        self.address = f"{host}:{self._server.sockets[0].getsockname()[1]}"
        return self.address

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
                posted = await self._body(head, reader)
            status, body, ctype = self._answer(head) if posted is None else posted
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n".encode() + body
            )
            await writer.drain()
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _body(self, head: bytes, reader: asyncio.StreamReader) -> tuple[str, bytes, str] | None:
        """The answer to a POST to one of `posts` (its body read whole), or None for the rest."""
        line, _, fields = head.partition(b"\r\n")
        parts = line.split(b" ")
        if len(parts) != 3 or parts[0] != b"POST":
            return None
        route = self.posts.get(parts[1].partition(b"?")[0])
        if route is None:
            return None
        length = None
        for field in fields.split(b"\r\n"):
            name, _, value = field.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip()) if value.strip().isdigit() else -1
        if length is None or length < 0:
            return "411 Length Required", b'{"error": "a POST needs a Content-Length"}', "application/json"
        if length > MAX_POST:
            return "413 Content Too Large", b'{"error": "body over %d bytes"}' % MAX_POST, "application/json"
        code, body = route(await reader.readexactly(length))
        return f"{code} {_REASONS.get(code, 'Error')}", body, "application/json"

    def _answer(self, head: bytes) -> tuple[str, bytes, str]:
        parts = head.split(b"\r\n", 1)[0].split(b" ")
        if len(parts) != 3:
            return "400 Bad Request", b"bad request line\n", "text/plain"
        method, target, _ = parts
        path, _, query = target.partition(b"?")
        if path in self.routes and method == b"GET":
            body, ctype = self.routes[path](query)
            return "200 OK", body, ctype
        if path != b"/metrics":
            return "404 Not Found", b"only /metrics is served here\n", "text/plain"
        if method not in (b"GET", b"HEAD"):
            return "405 Method Not Allowed", b"GET /metrics\n", "text/plain"
        return "200 OK", render(self._source()), CONTENT_TYPE

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
