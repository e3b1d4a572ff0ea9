"""The version handshake: connections between different app versions are refused."""

from __future__ import annotations

import asyncio
import logging

import pytest

from weaver.errors import CommunicationError
from weaver.rpc import frames
from weaver.rpc.client import connect
from weaver.rpc.conftest import RawPeer, echo, serving
from weaver.rpc.protocol import Identity


async def test_same_version_connects() -> None:
    async with serving({1: echo}) as (_, address):
        conn = await connect(address, Identity("app", "v1", "c"))
        assert conn.peer_hello is not None and conn.peer_hello.replica == "r1"
        conn.close("done")


async def test_other_version_is_refused_and_logged_on_both_sides(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "weaver.rpc")
    async with serving({1: echo}) as (_, address):
        with pytest.raises(CommunicationError) as info:
            await connect(address, Identity("app", "v2", "c"), timeout=2)
        message = str(info.value)
        assert "app@v1" in message and "app@v2" in message
    logs = [r.getMessage() for r in caplog.records]
    assert any("refusing" in m and "v2" in m for m in logs), logs
    assert any("handshake with" in m and "v1" in m for m in logs), logs


async def test_other_app_is_refused() -> None:
    async with serving({1: echo}) as (_, address):
        with pytest.raises(CommunicationError, match="other@v1"):
            await connect(address, Identity("other", "v1", "c"), timeout=2)


async def test_other_protocol_version_is_refused() -> None:
    async with serving({1: echo}) as (_, address):
        peer = await RawPeer.open(address, hello=False)
        try:
            hello = frames.Hello(frames.PROTOCOL_VERSION + 1, "app", "v1", "x")
            peer.writer.write(frames.hello_frame(hello))
            ftype, _, body = await peer.read_frame()
            assert ftype == frames.HELLO
            assert "protocol" in frames.decode_hello(body).refusal
            assert await peer.closed_by_peer()
        finally:
            peer.close()


async def test_client_checks_the_servers_hello_too() -> None:
    # A fake server that accepts anyone but says it runs v9: the client hangs up.
    async def fake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frames.hello_frame(Identity("app", "v9", "s").hello()))
        await reader.read()
        writer.close()

    srv = await asyncio.start_server(fake, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(CommunicationError, match="v9"):
            await connect(f"tcp://127.0.0.1:{port}", Identity("app", "v1", "c"), timeout=2)
    finally:
        srv.close()
        await srv.wait_closed()


async def test_connect_to_nothing_is_a_communication_error() -> None:
    async with serving({}) as (_, address):
        pass  # closed: nobody listens there any more
    with pytest.raises(CommunicationError, match="cannot connect"):
        await connect(address, Identity("app", "v1"), timeout=2)
