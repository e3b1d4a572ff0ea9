"""A deterministic asyncio event loop: virtual time and a seeded choice of what runs next.

`SimLoop.time()` is virtual: when no callback is ready it jumps to the next timer, so
`asyncio.sleep`, `asyncio.timeout` and `weaver.deadline` cost no wall time. Each turn runs one
ready callback picked by a seeded `random.Random`, so the interleaving of tasks is random yet
reproducible from the seed. The loop does no I/O (no selector): a simulated app talks only
through in-process calls.
"""

from __future__ import annotations

import asyncio
import heapq
import random
from typing import Any


class Deadlock(RuntimeError):
    """Nothing is ready and no timer is pending, yet the awaited future is not done."""


class SimLoop(asyncio.BaseEventLoop):
    """Runs one ready callback per turn, chosen by `rng`; time advances only by timers."""

    def __init__(self, rng: random.Random, start: float = 0.0) -> None:
        super().__init__()
        self.rng = rng
        self.now = start
        self.steps = 0
        """Callbacks run so far (a measure of simulated work)."""

    def time(self) -> float:
        return self.now

    def _run_once(self) -> None:
        ready: Any = self._ready  # type: ignore[attr-defined]
        timers: list[Any] = self._scheduled  # type: ignore[attr-defined]
        while timers and timers[0]._cancelled:
            heapq.heappop(timers)._scheduled = False
        if not ready:
            if not timers:
                if self._stopping:  # type: ignore[attr-defined]
                    return
                raise Deadlock("simulation deadlocked: no callback is ready and no timer is pending")
            self.now = max(self.now, timers[0]._when)
        while timers and timers[0]._when <= self.now:
            handle = heapq.heappop(timers)
            handle._scheduled = False
            ready.append(handle)
        n = len(ready)
        if n == 0:
            return
        pick = self.rng.randrange(n) if n > 1 else 0
        if pick:
            ready.rotate(-pick)
            handle = ready.popleft()
            ready.rotate(pick)
        else:
            handle = ready.popleft()
        if not handle._cancelled:
            self.steps += 1
            handle._run()

    def _write_to_self(self) -> None:
        """No selector to wake: other threads must not schedule work on a simulation."""

    def _process_events(self, event_list: list[Any]) -> None:
        """No I/O events in a simulation."""
