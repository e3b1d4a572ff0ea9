"""Fuzz target: the hello decoder and a server connection's handshake, fed arbitrary bytes.

`decode_hello` raises only FrameError and inverts `hello_frame`; a `ServerConnection` (on a
fake transport: no sockets) given any first bytes raises nothing, and either waits for more,
or has accepted a hello of this app version and answered with its own, or has closed with a
reason; before a hello it never takes a frame larger than `MAX_HELLO`.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from weaver.rpc import frames
from weaver.rpc.frames import FrameError, Hello
from weaver.rpc.server import Server, ServerConnection

APP, VERSION = "app", "v1"
_I64 = st.integers(-(2**63), 2**64 - 1)
_hellos = st.builds(Hello, _I64, st.text(max_size=20), st.text(max_size=70), st.text(max_size=20), st.text(max_size=30))


@pytest.fixture(scope="session")
def event_loop_policy() -> asyncio.AbstractEventLoopPolicy:
    """Synchronous targets: not run once per event loop as the rpc package's async tests are."""
    return asyncio.DefaultEventLoopPolicy()


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200) | _hellos.map(lambda h: frames.hello_frame(h)[frames.HEADER_SIZE :]))
def test_fuzz_decode_hello_raises_only_frame_error(body: bytes) -> None:
    try:
        hello = frames.decode_hello(body)
    except FrameError:
        return
    assert isinstance(hello.app, str) and isinstance(hello.protocol, int)


@settings(max_examples=300, deadline=None)
@given(_hellos)
def test_fuzz_hello_round_trips(hello: Hello) -> None:
    body = frames.hello_frame(hello)[frames.HEADER_SIZE :]
    assert frames.decode_hello(body) == hello


class FakeTransport:
    """What a ServerConnection uses of a transport; records writes and the close."""

    def __init__(self) -> None:
        self.written = b""
        self.closed = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 40000) if name == "peername" else default

    def write(self, data: bytes) -> None:
        self.written += data

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _good_hello() -> bytes:
    return frames.hello_frame(Hello(frames.PROTOCOL_VERSION, APP, VERSION, "peer"))


_first_bytes = st.one_of(
    st.binary(max_size=100),
    st.builds(lambda h, rest: frames.hello_frame(h) + rest, _hellos, st.binary(max_size=40)),
    st.builds(lambda rest: _good_hello() + rest, st.binary(max_size=60)),
    st.builds(
        lambda n, t, rest: frames.HEADER.pack(n, t, 0) + rest,
        st.integers(0, 0xFFFFFFFF),
        st.sampled_from(sorted(frames.FRAME_TYPES)),
        st.binary(max_size=40),
    ),
)


async def _echo(payload: bytes) -> bytes:
    return payload


@settings(max_examples=300, deadline=None)
@given(_first_bytes, st.integers(1, 64), st.booleans())
def test_fuzz_handshake_on_any_first_bytes(data: bytes, chunk: int, eof: bool) -> None:
    async def scenario() -> None:
        server = Server({1: _echo}, APP, VERSION, "r1")
        transport = FakeTransport()
        conn = ServerConnection(server)
        conn.connection_made(transport)  # type: ignore[arg-type]
        try:
            for i in range(0, len(data), chunk):
                conn.data_received(data[i : i + chunk])
            if eof:
                conn.eof_received()
            await asyncio.sleep(0)  # let queued writes flush
            _check(conn, transport, data)
        finally:
            conn.connection_lost(None)

    asyncio.run(scenario())


def _check(conn: ServerConnection, transport: FakeTransport, data: bytes) -> None:
    announced = frames.HEADER.unpack_from(data)[0] if len(data) >= frames.HEADER_SIZE else 0
    if announced > frames.MAX_HELLO:
        assert conn.peer_hello is None and conn.closed and "exceeds the limit" in conn.close_reason
    if conn.closed:
        assert conn.close_reason and transport.closed
    if conn.peer_hello is not None:  # accepted or refused, it was answered with our hello first
        length, ftype, _ = frames.HEADER.unpack_from(transport.written)
        ours = frames.decode_hello(transport.written[frames.HEADER_SIZE : frames.HEADER_SIZE + length])
        assert ftype == frames.HELLO and (ours.app, ours.version) == (APP, VERSION)
        wanted = conn.peer_hello.protocol == frames.PROTOCOL_VERSION and conn.peer_hello.app == APP
        assert bool(ours.refusal) != (wanted and conn.peer_hello.version == VERSION)
    elif not conn.closed:  # still waiting: for the rest of a hello that fits MAX_HELLO
        assert transport.written == b"" and announced <= frames.MAX_HELLO
