"""Eager tasks behave like asyncio tasks, but their first step runs inside `start`."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from weaver.internal import eager

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


async def run_in_callback(runner: eager.Runner, make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """`runner.run(make())` from a plain callback; returns its result or the exception it raised."""
    loop = asyncio.get_running_loop()
    box: asyncio.Future[Any] = loop.create_future()
    ctx = contextvars.copy_context()
    ctx.run(var.set, "request")

    def go() -> None:
        try:
            box.set_result(runner.run(make(), ctx))
        except BaseException as e:  # noqa: BLE001 - handed to the test
            box.set_result(e)

    loop.call_soon(go)
    return await box


async def test_runner_reuses_the_task_of_handlers_that_finish_at_once() -> None:
    runner = eager.Runner(asyncio.get_running_loop())
    ids: list[int] = []

    async def quick() -> str:
        ids.append(id(asyncio.current_task()))
        return var.get()

    assert await run_in_callback(runner, quick) == "request"
    assert await run_in_callback(runner, quick) == "request"
    assert len(ids) == 2 and ids[0] == ids[1]


async def test_runner_does_not_reuse_a_task_someone_kept() -> None:
    runner = eager.Runner(asyncio.get_running_loop())
    kept: list[asyncio.Task[Any] | None] = []

    async def keep() -> int:
        kept.append(asyncio.current_task())
        return 1

    assert await run_in_callback(runner, keep) == 1
    assert await run_in_callback(runner, keep) == 1
    first, second = kept
    assert first is not second
    assert first is not None and first.done() and first.result() == 1


async def test_runner_errors_and_self_cancellation() -> None:
    runner = eager.Runner(asyncio.get_running_loop())

    async def boom() -> None:
        raise KeyError("x")

    async def odd() -> int:
        current = asyncio.current_task()
        assert current is not None
        current.cancel()
        return 1

    async def quick() -> str:
        return var.get()

    assert isinstance(await run_in_callback(runner, boom), KeyError)
    assert isinstance(await run_in_callback(runner, odd), asyncio.CancelledError)
    assert await run_in_callback(runner, quick) == "request"


async def test_runner_suspended_handler_continues_as_a_task() -> None:
    runner = eager.Runner(asyncio.get_running_loop())
    seen: list[object] = []

    async def two_steps() -> str:
        seen.append(asyncio.current_task())
        async with asyncio.timeout(5):
            await asyncio.sleep(0.001)
        seen.append(asyncio.current_task())
        return var.get()

    assert await run_in_callback(runner, two_steps) is eager.SUSPENDED
    task = runner.task
    assert task is not None and not task.done()
    assert await asyncio.wait_for(task, 2) == "request"
    assert seen == [task, task]
