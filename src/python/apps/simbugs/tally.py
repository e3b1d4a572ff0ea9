"""Tally: counters over Store. `incr_rmw` is the planted lost-update bug; `incr` its fix."""

from __future__ import annotations

import weaver
from apps.simbugs.store import Store


class Tally(weaver.Component):
    @weaver.not_retriable
    async def incr_rmw(self, key: str) -> None: ...

    @weaver.not_retriable
    async def incr(self, key: str) -> None: ...


class TallyImpl(weaver.Implements[Tally]):
    store: weaver.Ref[Store]

    async def incr_rmw(self, key: str) -> None:
        # BUG: read-modify-write across two calls; a concurrent incr in between is lost.
        value = await self.store.get(key)
        await self.store.put(key, value + 1)

    async def incr(self, key: str) -> None:
        await self.store.add(key, 1)
