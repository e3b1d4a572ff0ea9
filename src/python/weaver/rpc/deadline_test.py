"""Deadlines travel as remaining time and are enforced on both sides; cancellation reaches
the callee."""

from __future__ import annotations

import asyncio
import time

import pytest

from weaver.errors import DeadlineExceeded
from weaver.internal import callctx
from weaver.rpc import frames
from weaver.rpc.conftest import RawPeer, client_of, serving
from weaver.testing.eventually import eventually


class Sleeper:
    """A handler that sleeps and records what happened to it."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.seen_deadline: float | None = None

    async def __call__(self, payload: bytes) -> bytes:
        self.seen_deadline = callctx.deadline.get()
        self.started.set()
        try:
            await asyncio.sleep(float(payload))
        except asyncio.CancelledError:
            self.cancelled.set()
            raise
        return b"done"


async def test_client_enforces_deadline_and_callee_is_cancelled() -> None:
    sleeper = Sleeper()
    async with serving({1: sleeper}) as (_, address):
        async with client_of(address) as conn:
            callctx.deadline.set(time.monotonic() + 0.2)
            start = time.monotonic()
            with pytest.raises(DeadlineExceeded):
                await conn.call(1, b"10")
            assert 0.15 < time.monotonic() - start < 1.0
            await asyncio.wait_for(sleeper.cancelled.wait(), 2)
            callctx.deadline.set(None)
            assert await conn.call(1, b"0") == b"done"  # the connection is still fine


async def test_callee_sees_the_remaining_deadline() -> None:
    sleeper = Sleeper()
    async with serving({1: sleeper}) as (_, address):
        async with client_of(address) as conn:
            deadline = time.monotonic() + 5.0
            callctx.deadline.set(deadline)
            assert await conn.call(1, b"0") == b"done"
            assert sleeper.seen_deadline is not None
            assert deadline - 0.5 < sleeper.seen_deadline <= deadline + 0.01


async def test_passed_deadline_fails_before_sending() -> None:
    async with serving({}) as (_, address):
        async with client_of(address) as conn:
            callctx.deadline.set(time.monotonic() - 1)
            with pytest.raises(DeadlineExceeded):
                await conn.call(1, b"")


async def test_server_enforces_deadline_on_its_own() -> None:
    # A raw client that does not enforce anything: the server replies DeadlineExceeded.
    sleeper = Sleeper()
    async with serving({1: sleeper}) as (_, address):
        peer = await RawPeer.open(address)
        try:
            peer.request(7, 1, b"10", deadline=0.1)
            ftype, rid, body = await peer.read_frame()
            assert (ftype, rid) == (frames.ERROR, 7)
            assert sleeper.cancelled.is_set()
            from weaver.errors import decode_error

            assert isinstance(decode_error(body), DeadlineExceeded)
        finally:
            peer.close()


async def test_cancelled_caller_cancels_the_callee() -> None:
    sleeper = Sleeper()
    async with serving({1: sleeper}) as (server, address):
        async with client_of(address) as conn:
            call = asyncio.create_task(conn.call(1, b"10"))
            await asyncio.wait_for(sleeper.started.wait(), 2)
            call.cancel()
            with pytest.raises(asyncio.CancelledError):
                await call
            await asyncio.wait_for(sleeper.cancelled.wait(), 2)
            assert conn.in_flight == 0
            [sconn] = server.connections
            await eventually(lambda: not sconn._tasks, timeout=5, what="the server's handler tasks to end")


async def test_client_disconnect_cancels_running_handlers() -> None:
    sleeper = Sleeper()
    async with serving({1: sleeper}) as (_, address):
        async with client_of(address) as conn:
            call = asyncio.create_task(conn.call(1, b"10"))
            await asyncio.wait_for(sleeper.started.wait(), 2)
            conn.close("going away")
            await asyncio.wait_for(sleeper.cancelled.wait(), 2)
            with pytest.raises(Exception, match="lost"):
                await call


async def test_weaver_deadline_sends_a_cancel_frame() -> None:
    # `weaver.deadline`'s timeout and the call's timer are due in the same tick; whichever runs
    # first, the callee must be told (a raw server records the frames it gets).
    import weaver
    from weaver.rpc.client import connect
    from weaver.rpc.conftest import CLIENT

    got: list[tuple[int, int]] = []
    cancelled = asyncio.Event()

    async def raw(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readexactly(frames.HEADER_SIZE)
            length, ftype, rid = frames.HEADER.unpack(head)
            await reader.readexactly(length)
            got.append((ftype, rid))
            if ftype == frames.HELLO:
                writer.write(frames.hello_frame(CLIENT.hello()))
            elif ftype == frames.CANCEL:
                cancelled.set()

    server = await asyncio.start_server(raw, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        conn = await connect(f"tcp://127.0.0.1:{port}", CLIENT, timeout=2.0)
        with pytest.raises(DeadlineExceeded):
            async with weaver.deadline(0.1):
                await conn.call(1, b"never answered")
        await asyncio.wait_for(cancelled.wait(), 2)
        assert got == [(frames.HELLO, 0), (frames.REQUEST, 1), (frames.CANCEL, 1)]
        conn.close("test done")
    finally:
        server.close()
        await server.wait_closed()
