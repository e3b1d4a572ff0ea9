"""The manager's Prometheus endpoint: `GET /metrics` on 127.0.0.1, nothing else.

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


class MetricsServer:
    """Serves `render(source())` at `/metrics`; `address` is `host:port` once started."""

    def __init__(
        self,
        source: Callable[[], list[MetricSnapshot]],
        routes: dict[bytes, Callable[[bytes], tuple[bytes, str]]] | None = None,
    ) -> None:
        self._source = source
        self.routes = dict(routes or {})
        """More GET paths: path -> f(query) returning (body, content type), e.g. the manager's /traces."""
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
            status, body, ctype = self._answer(head)
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
