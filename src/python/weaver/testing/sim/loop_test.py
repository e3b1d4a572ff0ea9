"""SimLoop: virtual time, seeded interleavings, deadlock detection, weaver.deadline."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

import weaver
from weaver.internal import callctx
from weaver.testing.sim.loop import Deadlock, SimLoop


def _run(seed: int, coro_fn):  # type: ignore[no-untyped-def]
    loop = SimLoop(random.Random(seed))
    try:
        return loop.run_until_complete(coro_fn()), loop.time()
    finally:
        loop.close()


async def _interleave() -> list[int]:
    order: list[int] = []

    async def task(i: int) -> None:
        for _ in range(3):
            order.append(i)
            await asyncio.sleep(0)

    await asyncio.gather(*(task(i) for i in range(4)))
    return order


def test_sleep_advances_virtual_time_without_waiting() -> None:
    wall = time.perf_counter()
    _, now = _run(1, lambda: asyncio.sleep(3600))
    assert now == 3600.0
    assert time.perf_counter() - wall < 5.0


def test_interleavings_follow_the_seed() -> None:
    a, b = _run(1, _interleave)[0], _run(1, _interleave)[0]
    assert a == b
    orders = {tuple(_run(s, _interleave)[0]) for s in range(10)}
    assert len(orders) > 1


def test_timeout_and_weaver_deadline_fire_in_virtual_time() -> None:
    async def body() -> tuple[bool, bool]:
        callctx.clock.set(asyncio.get_running_loop().time)
        timed_out = deadline_hit = False
        try:
            async with asyncio.timeout(5):
                await asyncio.sleep(10)
        except TimeoutError:
            timed_out = True
        try:
            async with weaver.deadline(2.0):
                assert callctx.deadline.get() == pytest.approx(asyncio.get_running_loop().time() + 2.0)
                await asyncio.sleep(10)
        except weaver.DeadlineExceeded:
            deadline_hit = True
        return timed_out, deadline_hit

    (timed_out, deadline_hit), now = _run(1, body)
    assert timed_out and deadline_hit and now == pytest.approx(7.0)


def test_deadlock_is_reported() -> None:
    async def stuck() -> None:
        await asyncio.get_running_loop().create_future()

    with pytest.raises(Deadlock, match="no callback is ready"):
        _run(1, stuck)
