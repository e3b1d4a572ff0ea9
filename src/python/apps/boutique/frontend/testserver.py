"""Serving an ASGI app with the shop's HTTP server on a free 127.0.0.1 port inside a test."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

from apps.boutique.frontend.web import ASGIApp
from weaver import httpserver

STOP_TIMEOUT = 10.0


@contextlib.asynccontextmanager
async def serving(app: ASGIApp, idle_timeout: float = 5.0) -> AsyncIterator[str]:
    """Serve `app` for the duration of the block; yields its base URL."""
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    task = asyncio.create_task(httpserver.serve(app, sock, httpserver.Limits(idle_timeout=idle_timeout)))
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, STOP_TIMEOUT)
        sock.close()


async def raw_request(url: str, method: str, target: str) -> tuple[int, dict[str, str], bytes]:
    """One request with Connection: close; status, headers and the bytes after the head."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(f"{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
        data = await asyncio.wait_for(reader.read(-1), 10)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body
