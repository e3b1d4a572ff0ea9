"""The idle timer expires only after a whole idle period, never while busy, never once cancelled."""

from __future__ import annotations

import asyncio

from weaver.internal.idletimer import IdleTimer


async def test_expires_after_idle_time_only() -> None:
    loop = asyncio.get_running_loop()
    expired: list[float] = []
    start = loop.time()
    timer = IdleTimer(loop, 0.1, lambda: expired.append(loop.time() - start))
    timer.busy()
    await asyncio.sleep(0.25)  # busy across two periods: no expiry, the timer re-arms
    assert expired == []
    timer.idle()
    idle_at = loop.time() - start
    await asyncio.sleep(0.3)
    assert len(expired) == 1 and expired[0] >= idle_at + 0.099


async def test_cancel_stops_it() -> None:
    loop = asyncio.get_running_loop()
    expired: list[bool] = []
    timer = IdleTimer(loop, 0.05, lambda: expired.append(True))
    timer.cancel()
    await asyncio.sleep(0.12)
    assert expired == []
