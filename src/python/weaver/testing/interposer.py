"""A fault injector on one route: a byte relay between a caller's group and one callee replica.

The chaos layer (`weaver.testing.chaos`) puts one `Interposer` on every (caller group, callee
component, replica address) and tells the caller's replicas to dial it instead of the replica.
It relays bytes both ways unchanged until its mode says otherwise:

- `delay`: each chunk from the caller is held back `delay` seconds (deadlines are hit);
- `fail_before`: open connections are cut and new ones are closed at once: calls fail with a
  communication error and the callee never sees them;
- `fail_after`: requests still reach the callee, but the first reply on a connection after its
  handshake cuts the connection instead: the callee ran and its reply is lost.

It knows nothing of the rpc protocol except that the callee's first bytes are its handshake.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from dataclasses import dataclass

from weaver.rpc.address import parse

MODES = ("pass", "delay", "fail_before", "fail_after")
CHUNK = 1 << 16


@dataclass
class Mode:
    """What the interposer does to traffic now."""

    kind: str = "pass"
    delay: float = 0.0


class Interposer:
    """Listens on a Unix socket at `path` and relays every connection to `upstream`."""

    def __init__(self, path: str, upstream: str) -> None:
        self.path = path
        self.address = f"unix://{path}"
        self.upstream = upstream
        self.mode = Mode()
        self.connections = 0
        """Connections accepted so far (refused ones included)."""
        self._writers: set[asyncio.StreamWriter] = set()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(path)
        self._sock.listen(128)  # callers may dial before serving starts: they wait in the backlog
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_unix_server(self._accept, sock=self._sock)

    def set_mode(self, mode: Mode) -> None:
        """Switch mode; `fail_before` also cuts every open connection (calls in flight fail)."""
        if mode.kind not in MODES:
            raise ValueError(f"unknown fault mode {mode.kind!r}: use one of {', '.join(MODES)}")
        self.mode = mode
        if mode.kind == "fail_before":
            for writer in list(self._writers):
                writer.transport.abort()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        else:
            self._sock.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.mode.kind == "fail_before":
            writer.transport.abort()
            return
        try:
            target = parse(self.upstream)
            if target.scheme == "unix":
                up_reader, up_writer = await asyncio.open_unix_connection(target.host)
            else:
                up_reader, up_writer = await asyncio.open_connection(target.host, target.port)
        except OSError:
            writer.transport.abort()  # the replica is gone: as if the route were down
            return
        self._writers.update((writer, up_writer))
        pumps = [
            asyncio.ensure_future(self._pump(reader, up_writer, to_callee=True)),
            asyncio.ensure_future(self._pump(up_reader, writer, to_callee=False)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pump in pumps:
                pump.cancel()
            for w in (writer, up_writer):
                w.transport.abort()
                self._writers.discard(w)
            self._tasks.difference_update(pumps)

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter, to_callee: bool) -> None:
        handshake_seen = to_callee  # only the callee's side starts with a handshake to let through
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while data := await src.read(CHUNK):
                mode = self.mode
                if to_callee and mode.kind == "delay" and mode.delay > 0:
                    await asyncio.sleep(mode.delay)  # the injected fault itself, not a test's wait
                if not to_callee and handshake_seen and mode.kind == "fail_after":
                    return  # the reply is lost; the caller sees its connection cut
                handshake_seen = True
                dst.write(data)
                await dst.drain()
