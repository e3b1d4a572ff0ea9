"""`eventually(predicate, timeout=..., what=...)`: wait for a condition, bounded, in one place.

Tests wait on events, not on time: where the event is only observable by asking (a routing
update applied in another task, a child process restarted), they poll it with this helper
instead of a fixed sleep. The wait is bounded and the failure says what was awaited.
Polling starts at 1 ms and backs off to 50 ms, so a fast event costs almost nothing.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar, overload

__all__ = ["eventually", "eventually_blocking"]

T = TypeVar("T")

_FIRST_PAUSE = 0.001
_MAX_PAUSE = 0.05


def _pauses() -> Iterator[float]:
    pause = _FIRST_PAUSE
    while True:
        yield pause
        pause = min(pause * 2, _MAX_PAUSE)


def _failure(what: str, timeout: float, last: BaseException | None) -> AssertionError:
    detail = f" (last error: {type(last).__name__}: {last})" if last is not None else ""
    return AssertionError(f"timed out after {timeout:g}s waiting for {what}{detail}")


@overload
async def eventually(
    predicate: Callable[[], Awaitable[T]],
    timeout: float = ...,
    what: str = ...,
    ignore: tuple[type[BaseException], ...] = ...,
) -> T: ...


@overload
async def eventually(
    predicate: Callable[[], T],
    timeout: float = ...,
    what: str = ...,
    ignore: tuple[type[BaseException], ...] = ...,
) -> T: ...


async def eventually(
    predicate: Callable[[], Any],
    timeout: float = 10.0,
    what: str = "the condition",
    ignore: tuple[type[BaseException], ...] = (),
) -> Any:
    """Call `predicate` (sync or async) until it returns a truthy value, and return that value.

    Exceptions of the types in `ignore` count as "not yet". Raises `AssertionError` naming
    `what` when `timeout` seconds pass first.
    """
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    last: BaseException | None = None
    for pause in _pauses():
        try:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            if value:
                return value
        except ignore as e:
            last = e
        if loop.time() >= end:
            raise _failure(what, timeout, last)
        await asyncio.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - _pauses() never ends


def eventually_blocking(
    predicate: Callable[[], T],
    timeout: float = 10.0,
    what: str = "the condition",
    ignore: tuple[type[BaseException], ...] = (),
) -> T:
    """`eventually` for synchronous tests (subprocesses, HTTP clients): blocks the thread."""
    end = time.monotonic() + timeout
    last: BaseException | None = None
    for pause in _pauses():
        try:
            value = predicate()
            if value:
                return value
        except ignore as e:
            last = e
        if time.monotonic() >= end:
            raise _failure(what, timeout, last)
        time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover - _pauses() never ends
