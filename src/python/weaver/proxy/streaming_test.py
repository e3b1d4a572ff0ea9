"""Bodies stream both ways without full buffering; keep-alive, pipelining and HTTP details."""

from __future__ import annotations

import asyncio

import httptools

from weaver.proxy.conftest import Stack
from weaver.proxy.table import Version
from weaver.testing.eventually import eventually
from weaver_bench.proxy.rawclient import Response


async def _read_until(c_reader: asyncio.StreamReader, marker: bytes, got: bytearray) -> None:
    async with asyncio.timeout(2):
        while marker not in got:
            data = await c_reader.read(65536)
            assert data, "connection closed"
            got += data


async def test_request_and_response_stream_chunk_by_chunk(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
    got = bytearray()
    for i in range(5):  # each piece comes back before the next is sent: nothing waits for the end
        piece = b"piece-%d" % i
        c.send(b"%x\r\n%b\r\n" % (len(piece), piece))
        await _read_until(c.reader, piece, got)
    c.send(b"0\r\n\r\n")
    await _read_until(c.reader, b"\r\n0\r\n\r\n", got)
    assert b"Weaver-Version: v1" in got and b"Transfer-Encoding: chunked" in got


async def test_streamed_response_arrives_before_it_ends(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(b"GET /stream?n=3&ms=150 HTTP/1.1\r\nHost: t\r\n\r\n")
    got = bytearray()
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    await _read_until(c.reader, b"chunk0", got)
    assert loop.time() - t0 < 0.3 and b"chunk2" not in got
    await _read_until(c.reader, b"0\r\n\r\n", got)


async def test_large_bodies_both_ways_with_content_length(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    r = await c.request("POST", "/", body=b"u" * 3_000_000)
    assert r.status == 200 and r.header("x-body-bytes") == "3000000"
    r = await c.request("GET", "/big?n=5000000")
    assert r.complete and len(r.body) == 5_000_000 and r.header("content-length") == "5000000"


async def test_pipelined_requests_answered_in_order(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    reqs = [b"GET /slow?ms=50 HTTP/1.1\r\nHost: t\r\n\r\n", b"GET /status/404 HTTP/1.1\r\nHost: t\r\n\r\n"]
    c.send(b"".join(reqs + [b"GET /big?n=7 HTTP/1.1\r\nHost: t\r\n\r\n"]))
    responses: list[Response] = []
    current = Response()
    parser = current.parser = httptools.HttpResponseParser(current)

    class Many:
        def on_header(self, n: bytes, v: bytes) -> None:
            responses[-1].headers.append((n, v))

        def on_message_begin(self) -> None:
            responses.append(Response())

        def on_body(self, b: bytes) -> None:
            responses[-1].chunks.append(b)

        def on_headers_complete(self) -> None:
            responses[-1].status = parser.get_status_code()

    parser = httptools.HttpResponseParser(Many())
    async with asyncio.timeout(3):
        while len(responses) < 3 or not responses[-1].chunks:
            parser.feed_data(await c.reader.read(65536))
    assert [r.status for r in responses] == [200, 404, 200]
    assert b"".join(responses[2].chunks) == b"bbbbbbb"


async def test_head_expect_continue_and_http10(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    r = await c.request("HEAD", "/")
    assert r.status == 200 and r.header("content-length") == "2"
    assert (await c.request("GET", "/")).body == b"ok"  # the HEAD left the connection in sync
    c.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
    assert (await c.read_response()).status == 100
    c.send(b"data")
    r = await c.read_response()
    assert r.status == 200 and r.header("x-body-bytes") == "4"
    c = await stack.client(addr)
    c.send(b"GET /stream?n=2&ms=1 HTTP/1.0\r\n\r\n")  # no chunked for 1.0: close-delimited
    r = await c.read_response()
    assert r.status == 200 and r.body == b"chunk0chunk1" and r.header("connection") == "close"
    assert r.header("transfer-encoding") is None


async def test_backend_keepalive_connections_are_reused(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    for _ in range(50):
        assert (await c.request("GET", "/")).status == 200
    assert len(proxy.pool) == 1 and len(a.conns) == 1


async def test_stale_pooled_connection_is_retried_for_idempotent_request(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    assert (await c.request("GET", "/")).status == 200
    for conn in list(a.conns):  # the backend drops idle keep-alive connections
        conn.close()
    assert (await c.request("GET", "/")).status == 200  # on the pooled one, closing: retried
    assert proxy.snapshot().versions["v1"].proxy_errors == 0


async def test_slow_client_holds_back_the_backend(stack: Stack) -> None:
    a = await stack.backend("a")
    proxy, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(b"GET /big?n=20000000 HTTP/1.1\r\nHost: t\r\n\r\n")
    (conn,) = await eventually(lambda: proxy.clients, what="the client connection")

    def backend_held_back() -> bool:  # the client reads nothing meanwhile
        ex = conn.current
        t = ex.backend.transport if ex is not None and ex.backend is not None else None
        return t is not None and not t.is_reading()

    await eventually(backend_held_back, what="the proxy to pause reading from the backend")
    assert conn.transport is not None and conn.transport.get_write_buffer_size() < 1_000_000
    r = await c.read_response()
    assert r.complete and len(r.body) == 20_000_000
    for _ in range(3):  # the pooled backend connection was resumed for the next exchange
        assert (await c.request("GET", "/big?n=10")).body == b"b" * 10


async def test_client_half_close_after_request_still_gets_response(stack: Stack) -> None:
    a = await stack.backend("a")
    _, addr = await stack.proxy({"v1": Version(1, [a.address])})
    c = await stack.client(addr)
    c.send(b"GET /slow?ms=100 HTTP/1.1\r\nHost: t\r\n\r\n")
    c.writer.write_eof()
    r = await c.read_response()
    assert r.status == 200 and r.body == b"ok" and await c.closed()
