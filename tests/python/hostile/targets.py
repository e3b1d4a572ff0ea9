"""The two targets of every hostile case: weaver's HTTP server, and the proxy in front of one.

`start(kind, knobs)` serves the corpus app on 127.0.0.1 with weaver's lean server
(`weaver.httpserver`), either reached directly ("server") or through a version-pinning proxy
("proxy", `weaver.proxy.Proxy`, whose one version is such a server). Everything it opens is
closed when the context ends. The app records every request it sees, so a test can assert that
a smuggled request never reached it, and that a refused body was never read.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from weaver import httpserver
from weaver.httpserver.cycle import ASGIApp, Message
from weaver.proxy.limits import Limits as ProxyLimits
from weaver.proxy.proxy import Proxy
from weaver.proxy.table import Table, Version

KINDS = ("server", "proxy")
TIMEOUT = 5.0
"""Bound on every single wait of the corpus, in seconds."""


@dataclass(frozen=True)
class Knobs:
    """The limits a test configures, applied to whichever component faces the client."""

    idle_timeout: float = 5.0
    max_body_bytes: int | None = 64 * 1024 * 1024
    linger: float = 1.0


@dataclass
class Seen:
    """What reached the app: request paths, and body bytes it read."""

    paths: list[str] = field(default_factory=list)
    body_bytes: int = 0


def corpus_app(seen: Seen) -> ASGIApp:
    """`/form` reads the whole body and answers its size; any other path answers `ok <path>`
    (followed by `pad` spaces if the query is `pad=<n>`)."""

    async def app(scope: Message, receive: Any, send: Any) -> None:
        seen.paths.append(scope["path"])
        size, more = 0, True
        while more:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                return
            size += len(msg.get("body", b""))
            more = bool(msg.get("more_body", False))
        seen.body_bytes += size
        out = f"got {size} bytes".encode() if scope["path"] == "/form" else f"ok {scope['path']}".encode()
        if scope["query_string"].startswith(b"pad="):  # a larger response: ?pad=<bytes>
            out += b" " * int(scope["query_string"][4:])
        headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(out)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": out})

    return app


@dataclass
class Reply:
    """What a connection returned: each response's (status, headers, body), and whether it closed."""

    responses: list[tuple[int, dict[bytes, bytes], bytes]]
    closed: bool

    @property
    def status(self) -> int:
        return self.responses[0][0] if self.responses else 0

    @property
    def statuses(self) -> list[int]:
        return [status for status, _, _ in self.responses]


def parse(data: bytes) -> list[tuple[int, dict[bytes, bytes], bytes]]:
    """Content-Length-framed responses in `data` (every response of the corpus is one)."""
    out = []
    for _ in range(100_000):
        if not data:
            break
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"unterminated response head: {data[:200]!r}"
        lines = head.split(b"\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get(b"content-length", b"0"))
        out.append((int(lines[0].split(b" ", 2)[1]), headers, rest[:length]))
        data = rest[length:]
    return out


async def read_to_eof(reader: asyncio.StreamReader, timeout: float = TIMEOUT) -> tuple[bytes, bool]:
    """Everything until the peer closes; (data, True) on EOF or reset, (data, False) at the deadline."""
    chunks: list[bytes] = []
    try:
        async with asyncio.timeout(timeout):
            for _ in range(1_000_000):
                data = await reader.read(65536)
                if not data:
                    return b"".join(chunks), True
                chunks.append(data)
    except ConnectionError:
        return b"".join(chunks), True
    except TimeoutError:
        pass
    return b"".join(chunks), False


@dataclass
class Target:
    """A running target: where to connect, and what its app saw."""

    kind: str
    host: str
    port: int
    seen: Seen

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.wait_for(asyncio.open_connection(self.host, self.port), TIMEOUT)

    async def exchange(self, raw: bytes, timeout: float = TIMEOUT) -> Reply:
        """Send `raw` on a new connection and read until the target closes it (bounded)."""
        reader, writer = await self.connect()
        try:
            writer.write(raw)
            data, closed = await read_to_eof(reader, timeout)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await asyncio.wait_for(writer.wait_closed(), TIMEOUT)
        return Reply(parse(data), closed)

    async def assert_serves(self) -> None:
        """A normal request on a new connection is answered 200 (the target survived)."""
        reply = await self.exchange(b"GET /normal HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert reply.responses == [(200, reply.responses[0][1], b"ok /normal")], reply


def figure(case: str, kind: str, text: str) -> None:
    """Print a measured figure (`pytest -s`), naming the case, the target and the event loop."""
    loop = "uvloop" if "uvloop" in type(asyncio.get_running_loop()).__module__ else "asyncio"
    print(f"\n{case} {kind} on {loop}: {text}")


def refused(reply: Reply, status: int) -> None:
    """RFC 9112: one error response with `status`, saying `Connection: close`, then a close."""
    assert reply.statuses == [status], reply
    assert reply.responses[0][1].get(b"connection", b"").lower() == b"close", reply
    assert reply.closed, reply


@contextlib.asynccontextmanager
async def start(kind: str, knobs: Knobs | None = None) -> AsyncIterator[Target]:
    """Serve the corpus app as `kind` ("server" or "proxy"), with `knobs` on the client side."""
    k = knobs or Knobs()
    seen = Seen()
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    host, port = sock.getsockname()[:2]
    facing = k if kind == "server" else Knobs()  # behind the proxy, the server keeps defaults
    limits = httpserver.Limits(
        idle_timeout=facing.idle_timeout, max_body_bytes=facing.max_body_bytes, linger=facing.linger
    )
    task = asyncio.create_task(httpserver.serve(corpus_app(seen), sock, limits, grace=0.5))
    proxy: Proxy | None = None
    try:
        if kind == "proxy":
            plimits = ProxyLimits(idle_timeout=k.idle_timeout, max_body_bytes=k.max_body_bytes, linger=k.linger)
            proxy = Proxy(Table({"v1": Version(1, [f"{host}:{port}"])}), plimits)
            host, port = await proxy.listen("127.0.0.1", 0)
        else:
            assert kind == "server", kind
        yield Target(kind, host, port, seen)
    finally:
        if proxy is not None:
            await proxy.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, TIMEOUT)
        sock.close()
