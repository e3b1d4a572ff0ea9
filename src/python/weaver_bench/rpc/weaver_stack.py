"""weaver.rpc under test: a Server with one handler and a Connection to it.

`direct` variants write each frame at once instead of coalescing per loop tick, and `unix`
variants use a Unix socket; both exist to measure those choices.
"""

from __future__ import annotations

import functools
import os
import tempfile
from collections.abc import Awaitable, Callable

from weaver.internal.keys import method_key
from weaver.rpc.client import Connection, connect
from weaver.rpc.protocol import Identity
from weaver.rpc.replicaset import ReplicaSet
from weaver.rpc.server import Server
from weaver_bench.rpc import workload

KEY = method_key("bench.Bench", "call")
IDENTITY = Identity("bench", "v1", "client")


async def _handle(payload: bytes) -> bytes:
    return workload.handle(payload)


class DirectConnection(Connection):
    """Writes every frame immediately (one send() each) instead of once per loop tick."""

    def send(self, data: bytes) -> None:
        if self._transport is not None and not self.closed:
            self._transport.write(data)


async def serve(host: str, unix: bool = False) -> tuple[str, object]:
    server = Server({KEY: _handle}, "bench", "v1", "server")
    if unix:
        path = os.path.join(tempfile.mkdtemp(prefix="weaver-bench-"), "s.sock")
        return await server.listen(f"unix://{path}"), server
    return await server.listen(f"tcp://{host}:0"), server


async def client(address: str, direct: bool = False) -> Callable[[bytes], Awaitable[bytes]]:
    conn = await connect(address, IDENTITY, cls=DirectConnection if direct else Connection)
    return functools.partial(conn.call, KEY)


async def replica_set_client(address: str) -> Callable[[bytes], Awaitable[bytes]]:
    """The path generated stubs take: a ReplicaSet (balancer + retries) over one replica."""
    rs = ReplicaSet(IDENTITY, [address])
    await rs.call(KEY, workload.REQUEST, True, None)  # connect
    return functools.partial(rs.call, KEY, retriable=True, shard=None)
