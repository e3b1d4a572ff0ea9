"""Bad input and failing backends: always a proper HTTP error or a visible cut, never a crash."""

from __future__ import annotations

import asyncio
import socket

import pytest

from weaver.proxy.conftest import Stack
from weaver.proxy.limits import Limits
from weaver.proxy.table import Version


async def _ok_after(stack: Stack, addr: str) -> None:
    """The proxy still serves normally afterwards."""
    c = await stack.client(addr)
    assert (await c.request("GET", "/")).status == 200


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET / HTTP/1.1\r\nBad Header\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
async def test_malformed_request_is_400(stack: Stack, raw: bytes) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(raw)
    r = await c.read_response()
    assert r.status == 400 and await c.closed()
    assert proxy.snapshot().bad_requests == 1
    await _ok_after(stack, addr)


async def test_oversized_headers_431_and_url_414(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])}, Limits(max_header_bytes=4096))
    c = await stack.client(addr)
    r = await c.request("GET", "/", {"X-Big": "x" * 5000})
    assert r.status == 431 and await c.closed()
    c = await stack.client(addr)
    r = await c.request("GET", "/", {f"X-{i}": "y" * 100 for i in range(60)})
    assert r.status == 431
    c = await stack.client(addr)
    c.send(b"GET /" + b"a" * 100_000)  # never finishes its head
    assert (await c.read_response()).status == 414
    c = await stack.client(addr)
    c.send(b"GET / HTTP/1.1\r\nX-Endless: " + b"z" * 300_000)
    assert (await c.read_response()).status == 431
    await _ok_after(stack, addr)


async def test_body_too_large_413(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])}, Limits(max_body_bytes=1000))
    c = await stack.client(addr)
    assert (await c.request("POST", "/", body=b"x" * 1000)).status == 200
    r = await c.request("POST", "/", body=b"x" * 1001)
    assert r.status == 413 and await c.closed()
    c = await stack.client(addr)  # chunked: discovered while streaming
    c.send(b"POST /slow HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + b"200\r\n" + b"x" * 512 + b"\r\n")
    c.send(b"400\r\n" + b"x" * 1024 + b"\r\n0\r\n\r\n")
    r = await c.read_response()
    assert r.status == 413 and await c.closed()
    assert proxy.snapshot().versions["v1"].status_4xx == 1
    await _ok_after(stack, addr)


async def test_connection_refused_is_502_naming_version(stack: Stack) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"  # bound, not listening: refuses
        proxy, addr = await stack.proxy({"v9": Version(1, [dead])})
        c = await stack.client(addr)
        r = await c.request("GET", "/")
    assert r.status == 502 and r.header("weaver-version") == "v9" and b"v9" in r.body
    assert proxy.snapshot().versions["v9"].proxy_errors == 1
    assert (await c.request("GET", "/")).status == 502  # connection kept: request was complete


async def test_refused_backend_skipped_within_version(stack: Stack) -> None:
    a = await stack.backend("a")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"
        _, addr = await stack.proxy({"v1": Version(1, [dead, a.address])})
        c = await stack.client(addr)
        for _ in range(4):
            assert (await c.request("GET", "/")).header("x-backend") == "a"


async def test_backend_dies_mid_response_closes_client(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    r = await c.request("GET", "/die")
    assert r.status == 200 and not r.complete and len(r.body) == 10
    assert proxy.snapshot().versions["v1"].proxy_errors == 1
    c = await stack.client(addr)
    r = await c.request("GET", "/die-early")
    assert r.status == 502 and r.header("weaver-version") == "v1"
    assert proxy.snapshot().versions["v1"].proxy_errors == 2
    await _ok_after(stack, addr)


async def test_no_backend_or_no_version_is_503(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, []), "v2": Version(0, [a.address])})
    c = await stack.client(addr)
    r = await c.request("GET", "/")
    assert r.status == 503 and r.header("weaver-version") == "v1" and b"v1" in r.body
    r = await c.request("GET", "/", {"Weaver-Version": "v2"})
    assert r.status == 200  # keep-alive survives the 503
    proxy.drain("v1")
    r = await c.request("GET", "/")
    assert r.status == 503 and r.header("weaver-version") is None
    assert proxy.snapshot().unrouted == 1


async def test_connect_is_405_and_bad_expect_417(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n")
    assert (await c.read_response()).status == 405
    c = await stack.client(addr)
    assert (await c.request("GET", "/", {"Expect": "magic"})).status == 417


async def test_backend_error_statuses_are_counted(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    for status in (200, 204, 301, 404, 500, 503):
        r = await c.request("GET", f"/status/{status}")
        assert r.status == status and r.header("weaver-version") == "v1"
    s = proxy.snapshot().versions["v1"]
    assert (s.status_2xx, s.status_3xx, s.status_4xx, s.status_5xx, s.proxy_errors) == (2, 1, 1, 2, 0)


async def test_idle_and_slow_head_connections_are_closed(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])}, Limits(idle_timeout=0.2))
    idle = await stack.client(addr)
    assert (await idle.request("GET", "/")).status == 200
    slow = await stack.client(addr)
    slow.send(b"GET / HTTP/1.1\r\nHost: t\r\n")  # the head never ends
    busy = await stack.client(addr)
    pending = asyncio.create_task(busy.request("GET", "/slow?ms=400"))
    assert await idle.closed(timeout=1) and await slow.closed(timeout=1)
    assert (await pending).status == 200  # a request in flight is not idle
    assert len(proxy.clients) == 1
