"""`bounded` behaves as asyncio.timeout, and arms no timer for a call that never waits."""

import asyncio
from typing import Any

import pytest

from apps.boutique.frontend.bounded import bounded


async def _now(value: int) -> int:
    return value


async def _after(delay: float, value: int, log: list[str]) -> int:
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        log.append("cancelled")
        raise
    return value


async def _fails_now() -> int:
    raise KeyError("now")


async def _fails_later() -> int:
    await asyncio.sleep(0)
    raise KeyError("later")


async def test_a_call_that_never_waits_arms_no_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()
    armed: list[float] = []
    real = loop.call_later

    def call_later(delay: float, *args: Any, **kwargs: Any) -> asyncio.TimerHandle:
        armed.append(delay)
        return real(delay, *args, **kwargs)

    monkeypatch.setattr(loop, "call_later", call_later)
    assert await bounded(_now(7), 0.1) == 7
    with pytest.raises(KeyError, match="now"):
        await bounded(_fails_now(), 0.1)
    assert armed == []
    assert await bounded(_after(0, 8, []), 0.5) == 8
    assert armed == [0.5]


async def test_a_call_that_waits_and_finishes_in_time() -> None:
    assert await bounded(_after(0.01, 3, []), 1.0) == 3
    with pytest.raises(KeyError, match="later"):
        await bounded(_fails_later(), 1.0)
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_slow_call_is_cancelled_and_the_caller_gets_timeout_error() -> None:
    log: list[str] = []
    loop = asyncio.get_running_loop()
    start = loop.time()
    with pytest.raises(TimeoutError):
        await bounded(_after(5.0, 1, log), 0.05)
    assert log == ["cancelled"] and loop.time() - start < 2.0
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    assert await bounded(_after(0.01, 2, []), 1.0) == 2  # the task is usable afterwards


async def test_a_cancellation_from_elsewhere_stays_a_cancellation() -> None:
    log: list[str] = []

    async def call() -> int:
        return await bounded(_after(5.0, 1, log), 2.0)

    task = asyncio.create_task(call())
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["cancelled"]


def test_same_as_asyncio_timeout_when_both_expire() -> None:
    async def with_asyncio() -> str:
        try:
            async with asyncio.timeout(0.02):
                await asyncio.sleep(1)
        except TimeoutError:
            return "timeout"
        return "done"

    async def with_bounded() -> str:
        try:
            await bounded(asyncio.sleep(1), 0.02)
        except TimeoutError:
            return "timeout"
        return "done"

    assert asyncio.run(with_asyncio()) == asyncio.run(with_bounded()) == "timeout"


async def test_a_call_that_swallows_the_deadline_returns_its_value() -> None:
    async def stubborn() -> str:
        try:
            await asyncio.sleep(5.0)
        except asyncio.CancelledError:
            return "kept going"
        return "slept"

    assert await bounded(stubborn(), 0.02) == "kept going"  # as with asyncio.timeout: no TimeoutError
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
