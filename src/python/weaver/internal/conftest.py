"""Shared by the HTTP fuzz targets (httpserver, proxy): generated requests, and a target served
on an event loop of its own thread so that hypothesis can drive it with blocking sockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

import httptools
from hypothesis import event
from hypothesis import strategies as st

TIMEOUT = 5.0  # bound on each wait of an exchange, in seconds

_ODD_METHODS = ["OPTIONS", "CONNECT", "PRI", "G ET", "", "GET\x00", "get", "X" * 40]
_ODD_TARGETS = ["*", "http://h/x", "//", "/%zz", "/\x00", "/a b", "h:80", "/\xff", "", "/#f"]
_ODD_VERSIONS = ["HTTP/2.0", "HTTP/1.2", "http/1.1", "HTTP/1", "", "HTTP/1.1 ", "HTTP/9.9", "HTTP/1.1\x00"]
_ODD_NAMES = ["Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect", "Upgrade", "Host ", " Host", ""]
_ODD_VALUES = ["t", "0", "5", "-1", "1 ,1", "+5", "0x5", "chunked", "chunked, identity", "gzip, chunked", "identity"]
_ODD_VALUES += ["close", "100-continue", "websocket", "\x00", "a\rb", "9" * 30, "", "\t", "é"]
_FRAMINGS = ["length", "chunked", "none"]
_ODD_FRAMINGS = ["wrong-length", "length-and-chunked", "bad-chunks", "odd-coding", "two-lengths"]


def _mostly(usual: list[Any], odd: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One of `usual` nine times in ten, else something from `odd`."""
    return st.integers(0, 9).flatmap(lambda n: st.sampled_from(usual) if n else odd)


@st.composite
def _chunked(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        data = draw(st.text("abc\r\n", max_size=8))
        size = draw(st.sampled_from([f"{len(data):x}", "ff", "-1", "", "1;x=y", "FFFFFFFFFFFFFFFFFF"]))
        parts.append(f"{size}\r\n{data}\r\n")
    return "".join(parts) + draw(st.sampled_from(["0\r\n\r\n", "0\r\nT: x\r\n\r\n", "", "0\r\n"]))


def _framed(draw: st.DrawFn, data: str) -> tuple[list[tuple[str, str]], str]:
    """Body framing headers and the body: usually right, sometimes smuggling-prone or wrong."""
    framing = draw(_mostly(_FRAMINGS, st.sampled_from(_ODD_FRAMINGS)))
    chunked = f"{len(data):x}\r\n{data}\r\n0\r\n\r\n" if data else "0\r\n\r\n"
    if framing == "length":
        return [("Content-Length", str(len(data)))], data
    if framing == "chunked":
        return [("Transfer-Encoding", "chunked")], chunked
    if framing == "none":
        return [], ""
    if framing == "wrong-length":
        return [("Content-Length", str(len(data) + draw(st.sampled_from([-1, 1, 100]))))], data
    if framing == "length-and-chunked":
        return [("Content-Length", str(len(data))), ("Transfer-Encoding", "chunked")], chunked
    if framing == "bad-chunks":
        return [("Transfer-Encoding", "chunked")], draw(_chunked())
    if framing == "odd-coding":
        return [("Transfer-Encoding", draw(st.sampled_from(_ODD_VALUES)))], chunked
    return [("Content-Length", str(len(data)))] * 2, data


@st.composite
def _request(draw: st.DrawFn) -> bytes:
    eol: str = draw(_mostly(["\r\n"], st.sampled_from(["\n", "\r"])))
    method = draw(_mostly(["GET", "POST", "PUT", "DELETE"], st.sampled_from(_ODD_METHODS)))
    target = draw(_mostly(["/", "/a?b=c", "/x/y"], st.sampled_from(_ODD_TARGETS)))
    version = draw(_mostly(["HTTP/1.1", "HTTP/1.1", "HTTP/1.0"], st.sampled_from(_ODD_VERSIONS)))
    fields = [("Host", "t")] if draw(_mostly([True], st.just(False))) else []
    odd_name = st.sampled_from(_ODD_NAMES) | st.text(max_size=6)
    odd_field = st.tuples(odd_name, st.sampled_from(_ODD_VALUES) | st.text(max_size=6))
    usual = [("X-A", "1"), ("Connection", "keep-alive"), ("Accept", "*/*")]
    fields += draw(st.lists(_mostly(usual, odd_field), max_size=3))
    framing, body = _framed(draw, draw(st.sampled_from(["", "hello", "x" * 20])))
    fields += framing
    sep = draw(_mostly([": "], st.sampled_from([":", ":  ", " : ", ":\t"])))
    head = f"{method} {target} {version}{eol}" + "".join(f"{n}{sep}{v}{eol}" for n, v in fields) + eol
    return (head + body).encode("utf-8", "surrogatepass")


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(_request()))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip" and i < len(data):
            data[i] = draw(st.integers(0, 255))
        elif op == "cut" and i < len(data):
            del data[i]
        else:
            data[i:i] = draw(st.sampled_from([b"\r\n", b":", b" ", b"\x00", b"\r\n\r\n", b"9999999999", b"chunked"]))
    return bytes(data)


def http_streams() -> st.SearchStrategy[bytes]:
    """What a client sends on one connection: 1-3 requests (often almost valid), or noise."""
    one = _mostly([0, 0, 1], st.just(2)).flatmap(lambda n: [_request(), _request(), _mutated()][n])
    return _mostly([0], st.just(1)).flatmap(
        lambda n: st.lists(one, min_size=1, max_size=3).map(b"".join) if n == 0 else st.binary(max_size=200)
    )


Message = MutableMapping[str, Any]


async def echo_app(
    scope: Message, receive: Callable[[], Awaitable[Message]], send: Callable[[Message], Awaitable[None]]
) -> None:
    """Reads the whole body; answers `ok <path> <body size>` with a Content-Length."""
    size, more = 0, True
    while more:
        msg = await receive()
        if msg["type"] == "http.disconnect":
            return
        size += len(msg.get("body", b""))
        more = bool(msg.get("more_body", False))
    body = f"ok {scope['path']} {size}".encode("utf-8", "surrogateescape")
    headers = [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@dataclass
class Target:
    host: str
    port: int
    errors: list[logging.LogRecord] = field(default_factory=list)


class _Errors(logging.Handler):
    def __init__(self, into: list[logging.LogRecord]) -> None:
        super().__init__(logging.ERROR)
        self.into = into

    def emit(self, record: logging.LogRecord) -> None:
        self.into.append(record)


@contextlib.contextmanager
def served_in_thread(serve: Callable[[], AbstractAsyncContextManager[tuple[str, int]]]) -> Iterator[Target]:
    """Run `serve()` (an async context yielding host, port) on a loop thread until the block ends."""
    loop = asyncio.new_event_loop()
    box: list[tuple[str, int]] = []
    up = threading.Event()
    stop = asyncio.Event()

    failed: list[BaseException] = []

    async def main() -> None:
        try:
            async with serve() as address:
                box.append(address)
                up.set()
                await stop.wait()
        except BaseException as e:  # noqa: BLE001 - reported by the test thread
            failed.append(e)
        finally:
            up.set()

    thread = threading.Thread(target=lambda: loop.run_until_complete(main()), daemon=True)
    target = Target("", 0)
    handler = _Errors(target.errors)
    logging.getLogger("weaver").addHandler(handler)
    thread.start()
    try:
        assert up.wait(10.0), "the target did not start in 10 s"
        if failed:
            raise failed[0]
        target.host, target.port = box[0]
        yield target
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10.0)
        logging.getLogger("weaver").removeHandler(handler)
        if not thread.is_alive():
            loop.close()


@contextlib.asynccontextmanager
async def listening_socket() -> AsyncIterator[socket.socket]:
    sock = socket.create_server(("127.0.0.1", 0))
    sock.setblocking(False)
    try:
        yield sock
    finally:
        sock.close()


def exchange(target: Target, data: bytes) -> tuple[bytes, bool]:
    """Send `data` then EOF on a new connection; what came back, and whether the target closed."""
    with socket.create_connection((target.host, target.port), timeout=TIMEOUT) as s:
        with contextlib.suppress(OSError):  # refused mid-send: fine, read what it said
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            return b"".join(chunks), False
        except ConnectionResetError:
            pass
    return b"".join(chunks), True


class _Responses:
    def __init__(self) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.begun = 0
        self.done: list[tuple[int, bytes]] = []
        self.body = b""

    def on_message_begin(self) -> None:
        self.begun += 1
        self.body = b""

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        self.done.append((self.parser.get_status_code(), self.body))


def responses(data: bytes) -> list[tuple[int, bytes]]:
    """The complete responses in `data`; fails on bytes that are not HTTP/1.1 responses."""
    r = _Responses()
    r.parser.feed_data(data)
    assert r.begun == len(r.done), f"a response was cut short: {data[-200:]!r}"
    return r.done


def check_exchange(target: Target, data: bytes, refused: frozenset[int]) -> None:
    """The properties every HTTP fuzz target asserts for one connection's bytes."""
    reply, closed = exchange(target, data)
    assert closed, f"not closed {TIMEOUT}s after the client's EOF"
    answered = responses(reply)
    event(f"statuses {sorted({status for status, _ in answered})}")  # --hypothesis-show-statistics
    for status, body in answered:
        assert status == 200 or status in refused, (status, body)
        assert status != 200 or body.startswith(b"ok "), body
    assert not target.errors, [r.getMessage() for r in target.errors]
    normal, _ = exchange(target, b"GET /normal HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    assert responses(normal) == [(200, b"ok /normal 0")], normal
