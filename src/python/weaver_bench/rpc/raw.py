"""The baseline: the smallest msgspec-over-asyncio exchange (u32 length, u32 id, payload).

Handler inline in `data_received`, one write per message, a dict of futures on the client.
No deadlines, errors, cancellation or handshake: the floor our transport is measured against.
"""

from __future__ import annotations

import asyncio
import struct

from weaver.internal.address import parse_address
from weaver_bench.rpc import workload

_HEAD = struct.Struct("<II")


class _Framed(asyncio.Protocol):
    def __init__(self) -> None:
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buf = self.buf + data if self.buf else data
        pos = 0
        while len(buf) - pos >= 8:
            n, rid = _HEAD.unpack_from(buf, pos)
            if len(buf) - pos - 8 < n:
                break
            self.message(rid, buf[pos + 8 : pos + 8 + n])
            pos += 8 + n
        self.buf = buf[pos:]

    def message(self, rid: int, body: bytes) -> None:
        raise NotImplementedError


class RawServer(_Framed):
    def message(self, rid: int, body: bytes) -> None:
        reply = workload.handle(body)
        assert self.transport is not None
        self.transport.write(_HEAD.pack(len(reply), rid) + reply)


class RawClient(_Framed):
    def __init__(self) -> None:
        super().__init__()
        self.pending: dict[int, asyncio.Future[bytes]] = {}
        self.next = 0
        self.loop = asyncio.get_running_loop()

    def message(self, rid: int, body: bytes) -> None:
        self.pending.pop(rid).set_result(body)

    async def call(self, payload: bytes) -> bytes:
        self.next = rid = (self.next + 1) & 0xFFFFFFFF
        fut: asyncio.Future[bytes] = self.loop.create_future()
        self.pending[rid] = fut
        assert self.transport is not None
        self.transport.write(_HEAD.pack(len(payload), rid) + payload)
        return await fut


async def serve(host: str) -> tuple[str, object]:
    server = await asyncio.get_running_loop().create_server(RawServer, host, 0)
    return f"{host}:{server.sockets[0].getsockname()[1]}", server


async def client(address: str) -> RawClient:
    host, port = parse_address(address, what="server address")
    _, proto = await asyncio.get_running_loop().create_connection(RawClient, host, port)
    return proto
