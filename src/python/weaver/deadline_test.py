"""weaver.deadline: sets the call context's deadline, nests by shortening, raises DeadlineExceeded."""

from __future__ import annotations

import asyncio
import time

import pytest

import weaver
from weaver.internal import callctx


async def test_sets_and_restores_the_context_deadline() -> None:
    assert callctx.deadline.get() is None
    async with weaver.deadline(10):
        outer = callctx.deadline.get()
        assert outer is not None and 9 < outer - time.monotonic() <= 10
        async with weaver.deadline(100):  # cannot extend
            assert callctx.deadline.get() == outer
        async with weaver.deadline(1):  # can shorten
            inner = callctx.deadline.get()
            assert inner is not None and inner < outer
        assert callctx.deadline.get() == outer
    assert callctx.deadline.get() is None


async def test_expiry_raises_deadline_exceeded() -> None:
    started = time.monotonic()
    with pytest.raises(weaver.DeadlineExceeded) as info:
        async with weaver.deadline(0.05):
            await asyncio.sleep(10)
    assert isinstance(info.value, TimeoutError)
    assert time.monotonic() - started < 1


async def test_inner_deadline_exceeded_passes_through() -> None:
    with pytest.raises(weaver.DeadlineExceeded, match="remote said so"):
        async with weaver.deadline(10):
            raise weaver.DeadlineExceeded("remote said so")


def test_negative_is_an_error() -> None:
    with pytest.raises(ValueError):
        weaver.deadline(-1)
