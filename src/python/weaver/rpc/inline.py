"""Run a handler coroutine inline, and only make a task if it actually suspends.

Most handlers finish without waiting on anything; creating a task for each would cost several
times the rest of the call. `start` drives the coroutine's first step by hand; if it yields a
future, `resume` hands the already-started coroutine to a task without losing that future
(Python 3.12's eager tasks do the same; we target 3.11).
"""

from __future__ import annotations

import types
from collections.abc import Coroutine, Generator
from typing import Any


class Suspended(Exception):
    """Internal marker: the coroutine yielded `future` on its first step."""

    def __init__(self, future: Any) -> None:
        self.future = future


def start(coro: Coroutine[Any, Any, bytes]) -> bytes:
    """Run `coro` to its first suspension; return its result or raise its exception.

    Raises `Suspended(future)` if it is waiting on something; pass both to `resume`.
    """
    try:
        yielded = coro.send(None)
    except StopIteration as stop:
        result: bytes = stop.value
        return result
    raise Suspended(yielded)


@types.coroutine
def _continue(coro: Coroutine[Any, Any, bytes], pending: Any) -> Generator[Any, Any, bytes]:
    # Re-yield the future the coroutine is blocked on; the task waits for it exactly as if
    # the coroutine had yielded it to the task itself. Exceptions the task throws in (a
    # cancellation) go to the coroutine.
    while True:
        try:
            yield pending
        except BaseException as exc:  # noqa: BLE001 - forwarded, not swallowed
            try:
                pending = coro.throw(exc)
            except StopIteration as stop:
                result: bytes = stop.value
                return result
            continue
        break
    final: bytes = yield from coro
    return final


async def resume(coro: Coroutine[Any, Any, bytes], pending: Any) -> bytes:
    """A coroutine (for a task) that continues `coro`, suspended on `pending`."""
    return await _continue(coro, pending)
