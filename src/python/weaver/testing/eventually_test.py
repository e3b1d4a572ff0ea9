"""`eventually`: returns the first truthy value, tolerates ignored errors, fails naming what."""

from __future__ import annotations

import asyncio
import threading

import pytest

from weaver.testing.eventually import eventually, eventually_blocking


async def test_returns_once_another_task_sets_the_condition() -> None:
    box: list[int] = []
    loop = asyncio.get_running_loop()
    loop.call_soon(box.append, 7)
    assert await eventually(lambda: box and box[0], timeout=5, what="the box") == 7


async def test_awaits_an_async_predicate_and_ignores_listed_errors() -> None:
    calls = 0

    async def ready() -> bool:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise ConnectionRefusedError("not yet")
        return True

    assert await eventually(ready, timeout=5, ignore=(OSError,)) is True
    assert calls == 3


async def test_timeout_names_what_was_awaited_and_the_last_error() -> None:
    def refuse() -> bool:
        raise ConnectionRefusedError("port closed")

    with pytest.raises(AssertionError, match=r"timed out after 0.05s waiting for the port .*port closed"):
        await eventually(refuse, timeout=0.05, what="the port", ignore=(OSError,))


async def test_an_error_not_ignored_propagates_at_once() -> None:
    def broken() -> bool:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        await eventually(broken, timeout=5)


def test_blocking_variant_sees_a_thread_set_the_condition() -> None:
    done = threading.Event()
    threading.Thread(target=done.set).start()
    assert eventually_blocking(done.is_set, timeout=5, what="the thread") is True
    with pytest.raises(AssertionError, match="waiting for never"):
        eventually_blocking(lambda: False, timeout=0.02, what="never")
