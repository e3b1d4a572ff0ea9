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
