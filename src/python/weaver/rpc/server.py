"""The server side: listen on TCP or Unix sockets and serve handlers to peers.

Peers of another app version are refused at the handshake; each accepted connection is a
`weaver.rpc.dispatch.ServerConnection`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Mapping

from weaver.internal.caller import Handler
from weaver.rpc import address as addr
from weaver.rpc import frames
from weaver.rpc.dispatch import ServerConnection
from weaver.rpc.protocol import DEFAULT_READ_TIMEOUT, Identity

__all__ = ["Server", "ServerConnection"]


class Server:
    """Serves `handlers` (method key -> handler) to peers of the same app version."""

    def __init__(
        self,
        handlers: Mapping[int, Handler],
        app: str,
        version: str,
        replica: str = "",
        names: Mapping[int, str] | None = None,
        max_frame: int = frames.DEFAULT_MAX_FRAME,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        self.handlers: dict[int, Handler] = dict(handlers)
        self.names: dict[int, str] = dict(names or {})
        self.identity = Identity(app, version, replica)
        self.max_frame = max_frame
        self.read_timeout = read_timeout
        self.addresses: list[str] = []
        self.connections: set[ServerConnection] = set()
        self._listeners: list[asyncio.AbstractServer] = []

    def add_handlers(self, handlers: Mapping[int, Handler], names: Mapping[int, str] = {}) -> None:
        """Serve more methods (a proclet starts components one by one)."""
        self.handlers.update(handlers)
        self.names.update(names)

    async def listen(self, address: str) -> str:
        """Listen on `address` (port 0 picks one); return the address peers should dial."""
        a = addr.parse(address)
        loop = asyncio.get_running_loop()
        if a.scheme == "unix":
            if os.path.exists(a.host):
                os.unlink(a.host)
            srv = await loop.create_unix_server(lambda: ServerConnection(self), a.host)
            bound = str(a)
        else:
            srv = await loop.create_server(lambda: ServerConnection(self), a.host, a.port, reuse_address=True)
            port = srv.sockets[0].getsockname()[1]
            bound = str(addr.Address("tcp", a.host, port))
        self._listeners.append(srv)
        self.addresses.append(bound)
        return bound

    async def serve_socket(self, sock: socket.socket) -> ServerConnection:
        """Serve one already-connected socket (a socketpair end or an inherited fd)."""
        loop = asyncio.get_running_loop()
        _, conn = await loop.connect_accepted_socket(lambda: ServerConnection(self), sock)
        return conn

    async def close(self) -> None:
        """Stop listening, close every connection and cancel running handlers."""
        for srv in self._listeners:
            srv.close()
        tasks = []
        for conn in list(self.connections):
            tasks.extend(conn.cancel_all())
            conn.close("server shutting down", level=logging.INFO)
        for srv in self._listeners:
            await srv.wait_closed()
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        self._listeners.clear()
        for a in self.addresses:
            if a.startswith("unix://") and os.path.exists(a[7:]):
                os.unlink(a[7:])

    def where(self, key: int) -> str:
        return f"{self.names.get(key, f'method {key:#x}')}@{self.identity.replica or '?'}"
