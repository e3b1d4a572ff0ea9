"""A balancing TCP proxy: exports one listener of a multiprocess deployment.

Each accepted connection goes to the next backend round robin (the listener sockets replicas
bound and reported); a backend that refuses the connection is skipped and the next one tried,
so a dead replica costs no failed request while routing catches up. Bytes flow both ways until
either side closes. At shutdown it stops accepting and gives open connections a grace period.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

log = logging.getLogger("weaver.multi.proxy")

CONNECT_TIMEOUT = 2.0
CHUNK = 1 << 16


class BalancingProxy:
    """Listens on one address and splices each connection to some backend `host:port`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.backends: list[str] = []
        self.address = ""
        self.shared = False
        """Replicas listen on ports of their own; this proxy forwards to them."""
        self.connections = 0
        self._rr = 0
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, address: str) -> str:
        """Listen on `host:port` (port 0 picks one); returns the bound `host:port`."""
        host, sep, port = address.rpartition(":")
        if not sep or not port.isdigit():
            raise ValueError(f"listener {self.name!r}: address {address!r} is not host:port")
        try:
            self._server = await asyncio.start_server(self._accept, host.strip("[]") or "0.0.0.0", int(port))
        except OSError as e:
            raise OSError(f"listener {self.name!r}: cannot listen on {address}: {e.strerror or e}") from e
        sockname = self._server.sockets[0].getsockname()
        self.address = f"{sockname[0]}:{sockname[1]}"
        return self.address

    def set_backends(self, backends: list[str]) -> None:
        if backends != self.backends:
            log.info("listener %s: backends %s", self.name, backends or "(none)")
        self.backends = list(backends)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self.connections += 1
        try:
            upstream = await self._dial()
            if upstream is None:
                log.warning("listener %s: no backend reachable; closing a client connection", self.name)
                return
            up_reader, up_writer = upstream
            try:
                await asyncio.gather(_copy(reader, up_writer), _copy(up_reader, writer))
            finally:
                up_writer.close()
        except asyncio.CancelledError:
            pass
        finally:
            writer.close()
            self._tasks.discard(task)  # type: ignore[arg-type]

    async def _dial(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter] | None:
        backends = self.backends
        for _ in range(len(backends)):
            self._rr = (self._rr + 1) % len(backends)
            host, _, port = backends[self._rr].rpartition(":")
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT):
                    return await asyncio.open_connection(host, int(port))
            except (OSError, TimeoutError) as e:
                log.info("listener %s: backend %s unreachable (%s); trying the next", self.name, backends[self._rr], e)
        return None

    async def close(self, grace: float = 0.0) -> None:
        """Stop accepting; let open connections run up to `grace` seconds, then cut them."""
        if self._server is not None:
            self._server.close()
        if self._tasks and grace > 0:
            await asyncio.wait(set(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=1.0)
        if self._server is not None:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await self._server.wait_closed()


async def _copy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Copy until EOF, then half-close the other side (so request/response EOFs propagate)."""
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        writer.close()
