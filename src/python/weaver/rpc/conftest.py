"""Test helpers: servers on 127.0.0.1 that every test stops, and raw-socket peers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest

from weaver.internal.address import parse_address
from weaver.internal.caller import Handler
from weaver.rpc import frames
from weaver.rpc.client import Connection, connect
from weaver.rpc.protocol import Identity
from weaver.rpc.server import Server

APP = "app"
VERSION = "v1"
CLIENT = Identity(APP, VERSION, "client")


async def echo(payload: bytes) -> bytes:
    return payload


@asynccontextmanager
async def serving(
    handlers: Mapping[int, Handler],
    replica: str = "r1",
    version: str = VERSION,
    **kwargs: Any,
) -> AsyncIterator[tuple[Server, str]]:
    """A server on an ephemeral port, closed on exit."""
    server = Server(handlers, APP, version, replica, **kwargs)
    address = await server.listen("tcp://127.0.0.1:0")
    try:
        yield server, address
    finally:
        await server.close()


@asynccontextmanager
async def client_of(address: str, identity: Identity = CLIENT) -> AsyncIterator[Connection]:
    conn = await connect(address, identity, timeout=2.0)
    try:
        yield conn
    finally:
        conn.close("test done")


class RawPeer:
    """A bare socket speaking (or mangling) the protocol, for bad-input tests."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, address: str, hello: bool = True) -> RawPeer:
        host, port = parse_address(address.removeprefix("tcp://"), what="server address")
        reader, writer = await asyncio.open_connection(host, port)
        peer = cls(reader, writer)
        if hello:
            writer.write(frames.hello_frame(CLIENT.hello()))
            ftype, _, body = await peer.read_frame()
            assert ftype == frames.HELLO and not frames.decode_hello(body).refusal
        return peer

    async def read_frame(self, timeout: float = 2.0) -> tuple[int, int, bytes]:
        async with asyncio.timeout(timeout):
            head = await self.reader.readexactly(frames.HEADER_SIZE)
            length, ftype, rid = frames.HEADER.unpack(head)
            return ftype, rid, await self.reader.readexactly(length)

    async def closed_by_peer(self, timeout: float = 2.0) -> bool:
        """True if the other side closes the connection (after any frames it sends)."""
        try:
            async with asyncio.timeout(timeout):
                while await self.reader.read(65536):
                    pass
        except TimeoutError:
            return False
        except ConnectionError:
            pass
        return True

    def request(self, rid: int, key: int, payload: bytes, deadline: float | None = None) -> None:
        head = frames.request_head(rid, key, len(payload), deadline, None, None, None)
        self.writer.write(head + payload)

    def close(self) -> None:
        self.writer.close()


def pytest_configure(config: pytest.Config) -> None:
    # pytest-asyncio >= 1.1 prefers a hook that 0.24 (our lockfile's) lacks; the fixture works in both.
    config.addinivalue_line("filterwarnings", 'ignore:Overriding the "event_loop_policy" fixture')


@pytest.fixture(scope="session", params=["asyncio", "uvloop"])
def event_loop_policy(request: pytest.FixtureRequest) -> asyncio.AbstractEventLoopPolicy:
    """Every async test runs on the stock loop and on uvloop (what production uses)."""
    if request.param == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        policy: asyncio.AbstractEventLoopPolicy = uvloop.EventLoopPolicy()
        return policy
    return asyncio.DefaultEventLoopPolicy()
