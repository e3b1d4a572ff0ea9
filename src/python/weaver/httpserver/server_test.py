"""The lean ASGI server over real sockets: framing, keep-alive, bodies, errors and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from weaver.httpserver import Limits, serve
from weaver.httpserver.cycle import Message
from weaver.testing.eventually import eventually

TIMEOUT = 5.0
DISCONNECTS: list[str] = []
STARTED: list[str] = []
"""Paths whose app call has begun (tests wait on it instead of sleeping)."""
BODY_SEEN: list[str] = []
"""Paths whose app has received a first piece of body."""


async def app(scope: Message, receive: Any, send: Any) -> None:
    """/echo returns the body; /chunks streams 3 pieces (/chunks-fail then raises); /fail raises;
    /late fails after starting; /sleep suspends first; /nothing returns without responding.
    A client that leaves mid-body ends the app with `http.disconnect` (recorded in DISCONNECTS)."""
    path = scope["path"]
    STARTED.append(path)
    body = b""
    more = True
    while more:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            DISCONNECTS.append(path)
            return
        body += msg.get("body", b"")
        if body:
            BODY_SEEN.append(path)
        more = msg.get("more_body", False)
    if path == "/fail":
        raise ValueError("boom")
    if path == "/nothing":
        return
    if path == "/sleep":
        await asyncio.sleep(0.05)
    if path.startswith("/chunks"):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-kind", b"chunks")]})
        for piece in (b"a", b"bb", b"ccc"):
            await send({"type": "http.response.body", "body": piece, "more_body": True})
        if path == "/chunks-fail":
            raise ValueError("mid-body boom")
        await send({"type": "http.response.body", "body": b""})
        return
    if path == "/late":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"10")]})
        raise ValueError("late boom")
    out = body if path == "/echo" else f"{scope['method']} {path} {scope['query_string'].decode()}".encode()
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(out)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": out})


@contextlib.asynccontextmanager
async def running(limits: Limits | None = None) -> AsyncIterator[tuple[str, int]]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    address = sock.getsockname()[:2]
    task = asyncio.create_task(serve(app, sock, limits, grace=1.0))
    try:
        yield address
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, TIMEOUT)


async def exchange(address: tuple[str, int], raw: bytes) -> bytes:
    """Send `raw`, read until the server closes (every test request ends with a close)."""
    r, w = await asyncio.open_connection(*address)
    w.write(raw)
    try:
        return await asyncio.wait_for(r.read(), TIMEOUT)
    finally:
        w.close()


def responses(data: bytes) -> list[tuple[int, bytes]]:
    """(status, body) of each Content-Length-framed response in `data`."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":")[1]) for line in lines if line.lower().startswith(b"content-length"))
        out.append((status, rest[:length]))
        data = rest[length:]
    return out


async def test_keep_alive_pipelining_and_query() -> None:
    async with running() as address:
        raw = b"GET /a?x=1 HTTP/1.1\r\nHost: t\r\n\r\nGET /b%20c HTTP/1.1\r\nHost: t\r\n\r\n"
        raw += b"HEAD /c HTTP/1.1\r\nHost: t\r\n\r\nGET /d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        data = await exchange(address, raw)
    assert b"date: " in data
    heads = data.count(b"HTTP/1.1 200")
    assert heads == 4
    first, second, *_ = data.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert first.endswith(b"GET /a x=1") and second.endswith(b"GET /b c ")
    assert data.endswith(b"GET /d ") and b"connection: close" in data


async def test_absolute_form_target() -> None:
    async with running() as address:
        raw = b"GET http://t/e?y=2 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        data = await exchange(address, raw)
    assert data.startswith(b"HTTP/1.1 200 OK\r\n") and data.endswith(b"GET /e y=2")


async def test_request_body_in_pieces_and_chunked() -> None:
    async with running() as address:
        r, w = await asyncio.open_connection(*address)
        w.write(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello")
        await asyncio.sleep(0.05)
        w.write(b"world")
        w.write(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        w.write(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
        data = await asyncio.wait_for(r.read(), TIMEOUT)
        w.close()
    assert responses(data) == [(200, b"helloworld"), (200, b"abcde")]


async def test_streamed_response_is_chunked_and_http10_is_close_delimited() -> None:
    async with running() as address:
        data = await exchange(address, b"GET /chunks HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert b"transfer-encoding: chunked" in data
        assert data.endswith(b"1\r\na\r\n2\r\nbb\r\n3\r\nccc\r\n0\r\n\r\n")
        data = await exchange(address, b"GET /chunks HTTP/1.0\r\n\r\n")
        assert b"transfer-encoding" not in data and data.endswith(b"\r\n\r\nabbccc")


async def test_app_errors() -> None:
    async with running() as address:
        data = await exchange(address, b"GET /fail HTTP/1.1\r\nHost: t\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 500") and b"connection: close" in data
        data = await exchange(address, b"GET /nothing HTTP/1.1\r\nHost: t\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 500") and b"no complete response" in data
        data = await exchange(address, b"GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 500")  # the head was not written yet: replaced
        data = await exchange(address, b"GET /chunks-fail HTTP/1.1\r\nHost: t\r\n\r\n")
        assert data.startswith(b"HTTP/1.1 200") and not data.endswith(b"0\r\n\r\n")  # cut off


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + b"x" * 70_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 501),
    ],
)
async def test_bad_requests_get_an_error_and_a_close(raw: bytes, status: int) -> None:
    async with running() as address:
        data = await exchange(address, raw)
    assert data.startswith(b"HTTP/1.1 %d" % status) and b"connection: close" in data


async def test_trickled_head_is_cut_off_by_the_idle_timeout() -> None:
    async with running(Limits(idle_timeout=0.2)) as address:
        r, w = await asyncio.open_connection(*address)
        w.write(b"GET / HTTP/1.1\r\nHost: t\r\n")  # never finished
        assert await asyncio.wait_for(r.read(), TIMEOUT) == b""
        w.close()


async def test_expect_continue_and_suspending_handler() -> None:
    async with running() as address:
        r, w = await asyncio.open_connection(*address)
        w.write(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        assert await asyncio.wait_for(r.readuntil(b"\r\n\r\n"), TIMEOUT) == b"HTTP/1.1 100 Continue\r\n\r\n"
        w.write(b"ok")
        w.write(b"GET /sleep HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(r.read(), TIMEOUT)
        w.close()
    assert responses(data) == [(200, b"ok"), (200, b"GET /sleep ")]


async def test_shutdown_lets_a_request_in_flight_finish() -> None:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    task = asyncio.create_task(serve(app, sock, grace=2.0))
    r, w = await asyncio.open_connection(*sock.getsockname()[:2])
    STARTED.clear()
    w.write(b"GET /sleep HTTP/1.1\r\nHost: t\r\n\r\n")
    await eventually(lambda: "/sleep" in STARTED, timeout=TIMEOUT, what="the request to reach the app")
    task.cancel()
    data = await asyncio.wait_for(r.read(), TIMEOUT)
    w.close()
    assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"GET /sleep ")
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, TIMEOUT)


def answered(address: tuple[str, int]) -> Callable[[], Awaitable[bytes]]:
    """A probe for `eventually`: the answer to one request, b"" while the port refuses."""

    async def probe() -> bytes:
        with contextlib.suppress(ConnectionError):
            return await exchange(address, b"GET /x HTTP/1.0\r\n\r\n")
        return b""

    return probe


async def test_listener_serve_asgi_with_either_server() -> None:
    from weaver.listener import bind

    for server in ("weaver", "uvicorn"):
        listener = bind("web", "127.0.0.1:0")
        task = asyncio.create_task(listener.serve_asgi(app, server=server))
        try:  # uvicorn starts accepting after a few loop iterations
            probe = answered((listener.host, listener.port))
            data = await eventually(probe, timeout=TIMEOUT, what=f"{server} to answer")
            assert data.startswith(b"HTTP/1.1 200") and data.endswith(b"GET /x "), server
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, TIMEOUT)
            listener.close()
    listener = bind("web", "127.0.0.1:0")
    try:
        with pytest.raises(ValueError, match="unknown server 'gunicorn'"):
            await listener.serve_asgi(app, server="gunicorn")
        with pytest.raises(TypeError, match="uvicorn options"):
            await listener.serve_asgi(app, server="weaver", access_log=False)
    finally:
        listener.close()


async def test_client_leaving_mid_body_disconnects_the_app(caplog: pytest.LogCaptureFixture) -> None:
    async with running() as address:
        r, w = await asyncio.open_connection(*address)
        BODY_SEEN.clear()
        DISCONNECTS.clear()
        w.write(b"POST /half HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nhello")
        await eventually(lambda: "/half" in BODY_SEEN, timeout=TIMEOUT, what="the first half of the body")
        w.close()
        await eventually(lambda: "/half" in DISCONNECTS, timeout=TIMEOUT, what="the app to see http.disconnect")
    assert not [rec for rec in caplog.records if rec.levelname == "ERROR"]


async def test_pipelined_request_whose_body_arrives_later() -> None:
    async with running() as address:
        r, w = await asyncio.open_connection(*address)
        w.write(b"GET /sleep HTTP/1.1\r\nHost: t\r\n\r\n")
        w.write(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nConnection: close\r\n\r\nab")
        first = await asyncio.wait_for(r.readuntil(b"GET /sleep "), TIMEOUT)  # answered meanwhile
        w.write(b"cd")  # the second request has waited for the rest of its body
        data = first + await asyncio.wait_for(r.read(), TIMEOUT)
        w.close()
    assert responses(data) == [(200, b"GET /sleep "), (200, b"abcd")]
