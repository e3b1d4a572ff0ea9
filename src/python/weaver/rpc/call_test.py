"""Calls over a real connection: inline and suspended handlers, concurrency, context."""

from __future__ import annotations

import asyncio
import random
import time

from weaver.internal import callctx
from weaver.rpc import inline
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


async def test_inline_start_and_resume() -> None:
    async def quick() -> bytes:
        return b"q"

    async def slow() -> bytes:
        await asyncio.sleep(0)
        await asyncio.sleep(0.001)
        return b"s"

    assert inline.start(quick()) == b"q"
    coro = slow()
    try:
        inline.start(coro)
    except inline.Suspended as s:
        assert await asyncio.create_task(inline.resume(coro, s.future)) == b"s"
    else:
        raise AssertionError("slow() should suspend")


async def test_resumed_handler_can_be_cancelled() -> None:
    cancelled = asyncio.Event()

    async def forever() -> bytes:
        try:
            await asyncio.sleep(100)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return b""

    coro = forever()
    try:
        inline.start(coro)
    except inline.Suspended as s:
        task = asyncio.create_task(inline.resume(coro, s.future))
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.wait_for(cancelled.wait(), 2)
    assert task.cancelled() or isinstance(task.exception(), asyncio.CancelledError)
