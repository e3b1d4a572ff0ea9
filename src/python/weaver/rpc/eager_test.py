"""Eager tasks behave like asyncio tasks, but their first step runs inside `start`."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from weaver.rpc import eager

var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="unset")


async def started(make: Callable[[], Coroutine[Any, Any, Any]]) -> asyncio.Task[Any]:
    """Start `make()` eagerly from a plain callback, as a protocol would."""
    loop = asyncio.get_running_loop()
    box: asyncio.Future[asyncio.Task[Any]] = loop.create_future()
    ctx = contextvars.copy_context()
    ctx.run(var.set, "request")
    loop.call_soon(lambda: box.set_result(eager.start(make(), loop, ctx)))
    return await box


async def test_done_without_suspending() -> None:
    async def quick() -> str:
        return var.get()

    task = await started(quick)
    assert task.done() and task.result() == "request"


async def test_exception_without_suspending() -> None:
    async def boom() -> None:
        raise KeyError("x")

    task = await started(boom)
    assert task.done() and isinstance(task.exception(), KeyError)


async def test_self_cancel_then_return_is_cancelled() -> None:
    async def odd() -> int:
        current = asyncio.current_task()
        assert current is not None
        current.cancel()
        return 1

    task = await started(odd)
    assert task.cancelled()


async def test_same_task_before_and_after_suspending() -> None:
    seen: list[object] = []

    async def two_steps() -> str:
        seen.append(asyncio.current_task())
        await asyncio.sleep(0)  # a bare yield
        seen.append(asyncio.current_task())
        await asyncio.sleep(0.001)  # a future
        seen.append(asyncio.current_task())
        return var.get()

    task = await started(two_steps)
    assert not task.done()
    assert await asyncio.wait_for(task, 2) == "request"
    assert seen == [task, task, task]


async def test_cancelling_a_suspended_task() -> None:
    reached = asyncio.Event()

    async def forever() -> None:
        async with asyncio.timeout(10):
            reached.set()
            await asyncio.sleep(10)

    task = await started(forever)
    await reached.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_timeout_set_in_the_first_step_fires_after_suspending() -> None:
    async def slow() -> None:
        async with asyncio.timeout(0.01):
            await asyncio.sleep(10)

    task = await started(slow)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(task, 2)


async def test_exception_after_suspending() -> None:
    async def late() -> None:
        await asyncio.sleep(0)
        raise ValueError("late")

    task = await started(late)
    with pytest.raises(ValueError, match="late"):
        await task
