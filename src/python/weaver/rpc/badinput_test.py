"""Bad input closes only the offending connection, with a logged reason naming the peer."""

from __future__ import annotations

import asyncio
import logging
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weaver.errors import CommunicationError, RemoteCallError
from weaver.rpc import frames
from weaver.rpc.client import connect
from weaver.rpc.conftest import CLIENT, RawPeer, client_of, echo, serving
from weaver.testing.eventually import eventually

HEADER = frames.HEADER.pack

BAD_STREAMS = {
    "garbage": b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    "unknown frame type": HEADER(0, 42, 1),
    "oversize frame": HEADER(1 << 30, frames.REQUEST, 1),
    "short request": frames.frame(frames.REQUEST, 1, b"\x00" * 10),
    "response from a client": frames.frame(frames.RESPONSE, 1, b"x"),
    "bad extra header": frames.frame(
        frames.REQUEST, 1, frames.REQUEST_FIXED.pack(1, frames.FLAG_EXTRA, 0.0, 0) + b"\x05\x00\x00\x00\xc1"
    ),
    "second hello": frames.hello_frame(CLIENT.hello()),
}


async def assert_still_serving(address: str) -> None:
    async with client_of(address) as conn:
        assert await conn.call(1, b"ok") == b"ok"


@pytest.mark.parametrize("name", sorted(BAD_STREAMS))
async def test_bad_frames_close_the_connection(name: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "weaver.rpc")
    async with serving({1: echo}) as (_, address):
        good = await connect(address, CLIENT)
        peer = await RawPeer.open(address)
        try:
            port = peer.writer.get_extra_info("sockname")[1]
            peer.writer.write(BAD_STREAMS[name])
            assert await peer.closed_by_peer()
        finally:
            peer.close()
        assert any(f":{port}" in r.getMessage() for r in caplog.records), caplog.text
        assert await good.call(1, b"still") == b"still"  # other connections are untouched
        good.close("done")
        await assert_still_serving(address)


async def test_garbage_instead_of_hello() -> None:
    async with serving({1: echo}) as (_, address):
        peer = await RawPeer.open(address, hello=False)
        try:
            peer.writer.write(b"\x00" * 64)
            assert await peer.closed_by_peer()
        finally:
            peer.close()
        await assert_still_serving(address)


async def test_truncated_frame_then_eof(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "weaver.rpc")
    async with serving({1: echo}) as (_, address):
        peer = await RawPeer.open(address)
        peer.writer.write(frames.request_head(1, 1, 100, None, None, None, None) + b"abc")
        peer.writer.write_eof()
        assert await peer.closed_by_peer()
        peer.close()
        await eventually(lambda: "middle of a frame" in caplog.text, timeout=5, what="the server's warning")
        await assert_still_serving(address)


async def test_stall_mid_frame_and_in_handshake(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "weaver.rpc")
    async with serving({1: echo}, read_timeout=0.2) as (_, address):
        silent = await RawPeer.open(address, hello=False)  # never says hello
        stalled = await RawPeer.open(address)
        stalled.writer.write(frames.request_head(1, 1, 100, None, None, None, None) + b"abc")
        try:
            assert await silent.closed_by_peer(timeout=2)
            assert await stalled.closed_by_peer(timeout=2)
        finally:
            silent.close()
            stalled.close()
        assert "no hello" in caplog.text and "stalled mid-frame" in caplog.text
        await assert_still_serving(address)


async def test_slow_but_steady_peer_is_not_cut_off() -> None:
    async with serving({1: echo}, read_timeout=0.2) as (_, address):
        peer = await RawPeer.open(address)
        try:
            data = frames.request_head(5, 1, 3, None, None, None, None) + b"abc"
            for i in range(len(data)):
                peer.writer.write(data[i : i + 1])
                await asyncio.sleep(0.02)
            assert await peer.read_frame() == (frames.RESPONSE, 5, b"abc")
        finally:
            peer.close()


async def test_client_survives_a_server_sending_garbage() -> None:
    async def fake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(frames.hello_frame(CLIENT.hello()))
        await reader.read(1)
        writer.write(HEADER(5, 77, 1) + b"junk!")  # an unknown frame type
        await reader.read()
        writer.close()

    srv = await asyncio.start_server(fake, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        conn = await connect(f"tcp://127.0.0.1:{port}", CLIENT, timeout=2)
        with pytest.raises(CommunicationError, match="unknown frame type"):
            await asyncio.wait_for(conn.call(1, b"x"), 2)
    finally:
        srv.close()
        await srv.wait_closed()


async def test_oversize_payload_fails_locally_and_oversize_reply_is_an_error() -> None:
    async def big(payload: bytes) -> bytes:
        return b"x" * 5000

    async with serving({1: echo, 2: big}, max_frame=4000) as (_, address):
        conn = await connect(address, CLIENT, max_frame=4000)
        try:
            with pytest.raises(ValueError, match="exceeds the frame limit"):
                await conn.call(1, b"x" * 4000)  # never sent: the connection stays up
            with pytest.raises(RemoteCallError, match="exceeds the frame limit"):
                await conn.call(2, b"")
            assert await conn.call(1, b"ok") == b"ok"
        finally:
            conn.close("done")


async def test_oversize_reply_is_refused_by_the_client() -> None:
    async def big(payload: bytes) -> bytes:
        return b"x" * int(payload)

    async with serving({1: big}) as (_, address):
        conn = await connect(address, CLIENT, max_frame=1000)
        try:
            assert await conn.call(1, b"900") == b"x" * 900
            with pytest.raises(CommunicationError, match="exceeds the limit"):
                await conn.call(1, b"2000")
        finally:
            conn.close("done")


def frame_streams() -> st.SearchStrategy[bytes]:
    """Mostly well-framed sequences with random types, ids and bodies, plus raw noise."""
    one = st.builds(
        lambda t, rid, body: struct.pack("<IBQ", len(body), t, rid) + body,
        st.sampled_from(sorted(frames.FRAME_TYPES) + [0, 8, 255]),
        st.integers(0, 3),
        st.binary(max_size=40)
        | st.builds(
            lambda key, flags, dl, p: frames.REQUEST_FIXED.pack(key, flags, dl, 0) + p,
            st.sampled_from([1, 2, 99]),
            st.integers(0, 255),
            st.floats(allow_nan=True),
            st.binary(max_size=20),
        ),
    )
    return st.lists(one | st.binary(max_size=30), max_size=6).map(b"".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=frame_streams())
def test_fuzz_live_server(stream: bytes) -> None:
    async def slow(payload: bytes) -> bytes:
        await asyncio.sleep(0.001)
        return payload

    async def scenario() -> None:
        async with serving({1: echo, 2: slow}, read_timeout=0.2) as (server, address):
            peer = await RawPeer.open(address)
            try:
                peer.writer.write(stream)
                await peer.writer.drain()
                # Whatever comes back must be well-framed replies to ids we sent.
                try:
                    while True:
                        ftype, rid, _ = await peer.read_frame(timeout=0.05)
                        assert ftype in (frames.RESPONSE, frames.ERROR, frames.PONG)
                        assert rid <= 3
                except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    pass
            finally:
                peer.close()
            await assert_still_serving(address)
            assert len(server.connections) <= 2

    asyncio.run(asyncio.wait_for(scenario(), 10))


async def test_a_client_that_does_not_read_is_not_read_either() -> None:
    async def big(payload: bytes) -> bytes:
        return b"x" * (1 << 20)

    async with serving({1: big}) as (server, address):
        peer = await RawPeer.open(address)
        try:
            for rid in range(1, 21):
                peer.request(rid, 1, b"")
            [sconn] = await eventually(  # over the high-water mark: reading paused
                lambda: [c for c in server.connections if c.write_paused is not None], timeout=5, what="back-pressure"
            )
            got = {(await peer.read_frame())[1] for _ in range(20)}
            assert got == set(range(1, 21))
            await eventually(lambda: sconn.write_paused is None, timeout=5, what="reading to resume once drained")
        finally:
            peer.close()


async def test_frames_after_a_bad_one_are_not_run() -> None:
    ran: list[bytes] = []

    async def record(payload: bytes) -> bytes:
        ran.append(payload)
        return payload

    async with serving({1: record}) as (_, address):
        peer = await RawPeer.open(address)
        try:
            good = frames.request_head(1, 1, 5, None, None, None, None) + b"first"
            bad = frames.frame(frames.REQUEST, 2, b"\x00" * 10)  # well framed, bad request
            late = frames.request_head(3, 1, 4, None, None, None, None) + b"late"
            peer.writer.write(good + bad + late)  # one chunk
            assert await peer.closed_by_peer()
        finally:
            peer.close()
        assert ran == [b"first"]
