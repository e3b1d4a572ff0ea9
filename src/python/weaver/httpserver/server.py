"""Serving an ASGI app on a bound socket with the lean server, and stopping it gracefully."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field

from weaver.httpserver.connection import HttpConnection, Limits
from weaver.httpserver.cycle import ASGIApp
from weaver.internal.eager import Runner


@dataclass
class ServerState:
    """What the connections of one server share."""

    app: ASGIApp
    limits: Limits
    runner: Runner
    connections: set[HttpConnection] = field(default_factory=set)
    closing: bool = False


async def serve(app: ASGIApp, sock: socket.socket, limits: Limits | None = None, grace: float = 5.0) -> None:
    """Serve `app` (ASGI 3, HTTP only) on the listening `sock` until cancelled.

    On cancellation: stop accepting, close idle connections, give requests in flight up to
    `grace` seconds to finish (their connections close after the response), then close the rest.
    """
    loop = asyncio.get_running_loop()
    state = ServerState(app, limits or Limits(), Runner(loop))
    server = await loop.create_server(lambda: HttpConnection(state), sock=sock, backlog=1024)
    try:
        await asyncio.Future()  # until cancelled
    finally:
        state.closing = True
        server.close()
        deadline = loop.time() + grace
        for _ in range(int(grace / 0.01) + 1):
            busy = [c for c in list(state.connections) if not c.close_if_idle()]
            if not busy or loop.time() >= deadline:
                break
            await asyncio.sleep(0.01)
        for conn in list(state.connections):
            conn.close()
        await server.wait_closed()
