"""Calls over a real connection: inline and suspended handlers, concurrency, context."""

from __future__ import annotations

import asyncio
import contextvars
import random
import socket
import time

import pytest

from weaver.errors import RemoteCallError
from weaver.internal import callctx, eager
from weaver.rpc.conftest import client_of, echo, serving


async def reverse_later(payload: bytes) -> bytes:
    await asyncio.sleep(random.random() * 0.01)
    return payload[::-1]


async def context(payload: bytes) -> bytes:
    dl = callctx.deadline.get()
    return repr((callctx.metadata.get(), callctx.trace.get(), dl is not None)).encode()


async def test_inline_and_suspended_handlers() -> None:
    async with serving({1: echo, 2: reverse_later}) as (_, address):
        async with client_of(address) as conn:
            assert await conn.call(1, b"hello") == b"hello"
            assert await conn.call(2, b"abc") == b"cba"
            assert await conn.call(1, b"") == b""


async def test_many_concurrent_calls_never_mix_up_replies() -> None:
    async with serving({1: echo, 2: reverse_later}) as (_, address):
        async with client_of(address) as conn:
            payloads = [f"call-{i}".encode() for i in range(500)]
            results = await asyncio.gather(*(conn.call(1 + i % 2, p) for i, p in enumerate(payloads)))
            for i, (p, r) in enumerate(zip(payloads, results, strict=True)):
                assert r == (p if i % 2 == 0 else p[::-1])
            assert conn.in_flight == 0


async def test_large_payload() -> None:
    async with serving({1: echo}) as (_, address):
        async with client_of(address) as conn:
            big = random.randbytes(8 << 20)
            assert await conn.call(1, big) == big


async def test_context_travels_to_the_callee() -> None:
    async with serving({1: context}) as (_, address):
        async with client_of(address) as conn:
            assert await conn.call(1, b"") == b"(None, None, False)"
            callctx.metadata.set({"user": "ann"})
            callctx.trace.set((1 << 127 | 5, 6, 1))
            callctx.deadline.set(time.monotonic() + 1e6)
            got = await conn.call(1, b"")
            assert got == repr(({"user": "ann"}, (1 << 127 | 5, 6, 1), True)).encode()


async def test_handler_context_changes_do_not_leak() -> None:
    async def setter(payload: bytes) -> bytes:
        before = callctx.metadata.get()
        callctx.metadata.set({"leak": "yes"})
        return repr(before).encode()

    async with serving({1: setter}) as (_, address):
        async with client_of(address) as conn:
            assert await conn.call(1, b"") == b"None"
            assert await conn.call(1, b"") == b"None"


async def test_ping() -> None:
    async with serving({}) as (_, address):
        async with client_of(address) as conn:
            await conn.ping()


async def test_unix_socket(tmp_path: object) -> None:
    from weaver.rpc.client import connect
    from weaver.rpc.conftest import CLIENT
    from weaver.rpc.server import Server

    server = Server({1: echo}, "app", "v1", "r1")
    address = await server.listen(f"unix://{tmp_path}/s.sock")
    try:
        conn = await connect(address, CLIENT)
        assert await conn.call(1, b"x") == b"x"
        conn.close("done")
    finally:
        await server.close()


async def test_handlers_run_as_real_tasks_inline_or_not() -> None:
    """asyncio.timeout and TaskGroup need a current task, before and after a suspension."""

    async def quick(payload: bytes) -> bytes:
        async with asyncio.timeout(5):
            return b"current" if asyncio.current_task() is not None else b"none"

    async def grouped(payload: bytes) -> bytes:
        async with asyncio.TaskGroup() as tg:
            first = tg.create_task(asyncio.sleep(0.001, b"a"))
            second = tg.create_task(asyncio.sleep(0.002, b"b"))
        async with asyncio.timeout(5):
            await asyncio.sleep(0)
        return first.result() + second.result()

    async with serving({1: quick, 2: grouped}) as (_, address):
        async with client_of(address) as conn:
            assert await conn.call(1, b"") == b"current"
            assert await conn.call(2, b"") == b"ab"


async def test_eager_start_runs_the_first_step_synchronously() -> None:
    loop = asyncio.get_running_loop()
    steps: list[str] = []

    async def quick() -> bytes:
        steps.append("quick")
        return b"q"

    async def slow() -> bytes:
        steps.append("slow")
        await asyncio.sleep(0.001)
        return b"s"

    def from_callback(done: asyncio.Future[None]) -> None:
        # Protocol callbacks run outside any task; so does this.
        t1 = eager.start(quick(), loop, contextvars.copy_context())
        assert t1.done() and t1.result() == b"q"
        t2 = eager.start(slow(), loop, contextvars.copy_context())
        assert steps == ["quick", "slow"] and not t2.done()
        t2.add_done_callback(lambda t: done.set_result(None))

    done: asyncio.Future[None] = loop.create_future()
    loop.call_soon(from_callback, done)
    await asyncio.wait_for(done, 2)


async def test_handler_that_cancels_itself_gets_an_error_reply() -> None:
    async def self_cancel(payload: bytes) -> bytes:
        raise asyncio.CancelledError()

    async with serving({1: self_cancel}) as (_, address):
        async with client_of(address) as conn:
            with pytest.raises(RemoteCallError, match="CancelledError"):
                await asyncio.wait_for(conn.call(1, b""), 2)


async def test_over_a_socketpair() -> None:
    """The shape of a proclet's control channel: an inherited, already-connected socket."""
    from weaver.rpc.client import connect
    from weaver.rpc.conftest import CLIENT
    from weaver.rpc.server import Server

    server = Server({1: echo}, "app", "v1", "manager")
    ours, theirs = socket.socketpair()
    try:
        await server.serve_socket(ours)
        conn = await connect(theirs, CLIENT)
        assert await conn.call(1, b"over a pair") == b"over a pair"
        conn.close("done")
    finally:
        await server.close()
