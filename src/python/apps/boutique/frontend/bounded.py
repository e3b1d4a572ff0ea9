"""`await bounded(coro, seconds)`: asyncio.timeout for one call, with no timer if it never waits.

The shop bounds its ad call to 100 ms. `asyncio.timeout` arms a loop timer on entry and
cancels it on exit; when the call is co-located it finishes without ever suspending, and on a
core whose caches went cold since the last request that timer round trip (plus the Timeout
object and task lookups) costs ~40 us of a ~600 us page. `bounded` runs the call's first step
itself and arms the timer only if the call suspends; from then on it behaves as
`asyncio.timeout`: the task is cancelled at the deadline, the call sees CancelledError (and
may clean up), and the caller gets TimeoutError. A cancellation from elsewhere stays a
cancellation.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, TypeVar

T = TypeVar("T")


def bounded(coro: Coroutine[Any, Any, T], seconds: float) -> Awaitable[T]:
    """The result of `coro`, or TimeoutError if it is still waiting after `seconds`."""
    return _drive(coro, seconds)  # type: ignore[return-value] # (a generator-based coroutine)


@types.coroutine
def _drive(coro: Coroutine[Any, Any, T], seconds: float) -> Generator[Any, Any, T]:
    try:
        waiting_on = coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    task = asyncio.current_task()
    if task is None:  # pragma: no cover - awaited outside a task: only asyncio can drive it
        coro.close()
        raise RuntimeError("bounded() must be awaited inside an asyncio task")
    cancelling = task.cancelling()
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        while True:
            try:
                sent = yield waiting_on  # hand what the call waits on to the task, as `await` does
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # noqa: BLE001 - thrown in by the task: the call's to handle
                waiting_on = coro.throw(exc)
            else:
                waiting_on = coro.send(sent)
    except StopIteration as done:
        if expired:
            task.uncancel()  # the call swallowed our cancellation
        return done.value  # type: ignore[no-any-return]
    except asyncio.CancelledError:
        if expired and task.uncancel() <= cancelling:
            raise TimeoutError(f"call did not finish within {seconds}s") from None
        raise
    except BaseException:
        if expired:
            task.uncancel()
        raise
    finally:
        timer.cancel()
