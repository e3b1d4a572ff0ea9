"""Ids: hands out ids that must be unique.

With `durable_epoch = false` (the planted bug) the counter lives only in memory, so a
restarted replica hands out the same ids again. The fix prefixes each id with an epoch
taken from the durable Store at `init`.
"""

from __future__ import annotations

import msgspec

import weaver
from apps.simbugs.store import Store


class IdsConfig(msgspec.Struct):
    durable_epoch: bool = True


class Ids(weaver.Component):
    @weaver.not_retriable
    async def next(self) -> str: ...


class IdsImpl(weaver.Implements[Ids], weaver.WithConfig[IdsConfig]):
    store: weaver.Ref[Store]

    async def init(self) -> None:
        self.count = 0
        self.epoch = await self.store.add("ids.epoch", 1) if self.config.durable_epoch else 0

    async def next(self) -> str:
        self.count += 1
        return f"{self.epoch}-{self.count}"
