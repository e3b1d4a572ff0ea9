"""`Proxy`: one listener's version-pinning reverse proxy, with its table, pool and counters."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import Callable, Coroutine
from typing import Any, cast

from weaver.proxy.clientconn import ClientConnection
from weaver.proxy.context import ProxyContext
from weaver.proxy.limits import Limits
from weaver.proxy.observe import Observer
from weaver.proxy.pool import Pool
from weaver.proxy.router import Router
from weaver.proxy.stats import Snapshot, Stats
from weaver.proxy.table import Table, validate


class Proxy:
    """Routes each request on its listener to exactly one version of the app.

    The table can be replaced at any time (`set_table`); open client connections, requests in
    flight and WebSocket tunnels are unaffected, new requests follow the new table.
    """

    def __init__(
        self,
        table: Table | None = None,
        limits: Limits | None = None,
        rng: random.Random | None = None,
        observer: Observer | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.observer = observer
        """Spans and access log entries per request (observe.py); None: neither, at no cost."""
        self.stats = Stats()
        self.pool = Pool(self.limits.connect_timeout, self.limits.max_idle_per_backend)
        self._rng = rng
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self.table_watchers: list[Callable[[Table], None]] = []
        """Called with every table set from now on (the shipper learns the versions' managers)."""
        self.ctx = ProxyContext(self.limits, self.stats, self.pool, Router(Table(), rng), self.spawn, observer)
        if table is not None:
            self.set_table(table)

    @property
    def router(self) -> Router:
        """The router of the table in force."""
        return self.ctx.router

    @property
    def clients(self) -> list[ClientConnection]:
        """The client connections open now (not those turned into tunnels)."""
        return cast(list[ClientConnection], list(self.ctx.clients))

    @property
    def table(self) -> Table:
        """The table in force."""
        return self.ctx.router.table

    def set_table(self, table: Table) -> None:
        """Replace the traffic table (raises TableError if malformed, keeping the old one)."""
        validate(table)
        self.ctx.router = Router(table, self._rng)
        self.pool.retain(self.ctx.router.addresses())
        for watch in self.table_watchers:
            watch(table)

    def drain(self, version: str, draining: bool = True) -> None:
        """Take `version` out of (or back into) the unpinned share; pinned requests still go."""
        versions = dict(self.table.versions)
        entry = versions[version]
        versions[version] = type(entry)(entry.weight, list(entry.backends), draining, entry.manager)
        self.set_table(Table(versions))

    def snapshot(self) -> Snapshot:
        """Cumulative per-version counters now (see stats.diff for a step's worth)."""
        return self.stats.snapshot()

    def in_flight(self, version: str) -> int:
        """Requests and tunnels of `version` not finished yet (for draining)."""
        c = self.stats.versions.get(version)
        return c.in_flight + c.tunnels if c is not None else 0

    async def listen(
        self, host: str = "127.0.0.1", port: int = 0, sock: socket.socket | None = None
    ) -> tuple[str, int]:
        """Start serving clients on host:port, or on the listening `sock` someone else bound;
        returns the bound address (port 0 picks one)."""
        loop = asyncio.get_running_loop()
        if sock is not None:
            server = await loop.create_server(lambda: ClientConnection(self.ctx), sock=sock, backlog=1024)
        else:
            server = await loop.create_server(lambda: ClientConnection(self.ctx), host, port, backlog=1024)
        self._servers.append(server)
        sockname = server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    async def listen_admin(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Start the admin endpoint (see weaver.proxy.admin) on host:port."""
        from weaver.proxy.admin import AdminConnection

        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: AdminConnection(self), host, port)
        self._servers.append(server)
        sockname = server.sockets[0].getsockname()
        return str(sockname[0]), int(sockname[1])

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a background step of the proxy, keeping a reference until it ends."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self, grace: float = 0.0) -> None:
        """Stop listening; after up to `grace` seconds for requests in flight, close everything."""
        for server in self._servers:
            server.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while loop.time() < deadline and any(c.in_flight for c in self.stats.versions.values()):
            await asyncio.sleep(0.01)
        for client in list(self.ctx.clients):
            client.close_now()
        for transport in list(self.ctx.tunnels):
            transport.close()
        self.pool.close()
        for task in list(self._tasks):
            task.cancel()
        for server in self._servers:
            await server.wait_closed()
        self._servers.clear()

    async def __aenter__(self) -> Proxy:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
