"""Counter: counts greetings per name; calls for one name go to one replica."""

from __future__ import annotations

import os

import weaver
from apps.hello.messages import Hop


class Counter(weaver.Component):
    """Per-key counters."""

    @weaver.not_retriable  # adding twice would count twice
    @weaver.routed(by="key")
    async def add(self, key: str, delta: int = 1) -> int:
        """Add `delta` to `key`'s count and return the new count."""
        ...

    @weaver.routed(by="key")
    async def get(self, key: str) -> int:
        """The current count of `key`."""
        ...

    async def hop(self) -> Hop:
        """Which version and replica served this call."""
        ...


class CounterImpl(weaver.Implements[Counter]):
    """In-memory counters (per replica: routing keeps each key on one replica)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    async def add(self, key: str, delta: int = 1) -> int:
        self.counts[key] = self.counts.get(key, 0) + delta
        return self.counts[key]

    async def get(self, key: str) -> int:
        return self.counts.get(key, 0)

    async def hop(self) -> Hop:
        return Hop("Counter", weaver.version(), str(os.getpid()))
