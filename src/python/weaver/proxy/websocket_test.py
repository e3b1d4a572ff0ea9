"""WebSocket upgrades pass through: after the 101, bytes are spliced both ways."""

from __future__ import annotations

import asyncio

from weaver.proxy.conftest import Stack
from weaver.proxy.table import Table, Version
from weaver.testing.eventually import eventually

_UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
)


async def test_websocket_passthrough(stack: Stack) -> None:
    a, b = await stack.backend("a"), await stack.backend("b")
    proxy, addr = await stack.proxy({"v1": Version(0, [a.address]), "v2": Version(1, [b.address])})
    c = await stack.client(addr)
    c.send(_UPGRADE + b"Weaver-Version: v1\r\n\r\n" + b"early bytes|")
    r = await c.read_response()
    assert r.status == 101 and r.header("upgrade") == "websocket"
    assert r.header("sec-websocket-accept") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
    assert r.header("weaver-version") == "v1" and a.seen[-1][2][b"weaver-version"] == b"v1"
    got = bytearray(c.leftover)
    async with asyncio.timeout(2):
        while b"early bytes|" not in got:
            got += await c.reader.read(100)
        for i in range(3):
            msg = b"\x81\x05hello%d" % i
            c.send(msg)
            while msg not in got:
                got += await c.reader.read(100)
    assert proxy.snapshot().versions["v1"].tunnels == 1
    assert proxy.snapshot().versions["v1"].status_1xx == 1
    proxy.set_table(Table({"v2": Version(1, [b.address])}))  # table change: tunnel unaffected
    c.send(b"after")
    async with asyncio.timeout(2):
        while b"after" not in got:
            got += await c.reader.read(100)
    await c.close()
    await eventually(lambda: not proxy.snapshot().versions["v1"].tunnels, timeout=2, what="the tunnel closed")


async def test_refused_upgrade_is_relayed_and_closed(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(b"GET /status/403 HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
    r = await c.read_response()
    assert r.status == 403 and r.header("connection") == "close" and await c.closed()
