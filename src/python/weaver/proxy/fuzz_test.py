"""Mutated requests: every one gets an HTTP answer or a close, and the proxy keeps serving."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from weaver.proxy.conftest import Stack
from weaver.proxy.limits import Limits
from weaver.proxy.table import Version
from weaver.testing.eventually import eventually

_SEEDS = [
    b"GET /?a=1 HTTP/1.1\r\nHost: t\r\nCookie: weaver-version=v1\r\n\r\n",
    b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
    b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nxx",
]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(b))
        op = rng.randrange(3)
        if op == 0:
            b[i] = rng.randrange(256)
        elif op == 1:
            del b[i]
        else:
            b[i:i] = rng.choice([b"\r\n", b":", b" ", b"\x00", b"9999999999", b"chunked"])
    return bytes(b)


async def test_mutated_requests_never_break_the_proxy(stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])}, Limits(max_body_bytes=10_000, linger=0.05))
    rng = random.Random(1234)
    with caplog.at_level(logging.ERROR):
        for n in range(150):
            c = await stack.client(addr)
            c.send(_mutate(rng, rng.choice(_SEEDS)))
            c.writer.write_eof()
            async with asyncio.timeout(5):
                r = await c.read_response()
            assert r.status == 0 or 100 <= r.status < 600, n
            await c.close()
            stack.clients.remove(c)
    assert not [rec for rec in caplog.records if rec.levelno >= logging.ERROR]
    c = await stack.client(addr)
    assert (await c.request("GET", "/")).status == 200
    await eventually(lambda: len(proxy.clients) <= 1, timeout=5, what="the fuzzed connections closed")
    assert all(v.in_flight == 0 for v in proxy.snapshot().versions.values())
