"""stop_event is set by SIGTERM and by SIGINT, delivered to this process."""

from __future__ import annotations

import asyncio
import os
import signal

import pytest

from weaver.internal.signals import stop_event


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_the_event_is_set_by_the_signal(sig: signal.Signals) -> None:
    loop = asyncio.get_running_loop()
    stop = stop_event()
    try:
        assert not stop.is_set()
        os.kill(os.getpid(), sig)
        await asyncio.wait_for(stop.wait(), 10)
    finally:
        for s in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(s)
