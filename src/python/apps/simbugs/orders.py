"""Orders: places an order by debiting the Wallet, within the caller's deadline.

With `propagate_deadline = false` (the planted bug) the debit runs in a fresh context, so the
caller's deadline does not reach it: it may debit after the caller gave up.
"""

from __future__ import annotations

import asyncio
import contextvars

import msgspec

import weaver
from apps.simbugs.wallet import Wallet


class OrdersConfig(msgspec.Struct):
    propagate_deadline: bool = True


class Orders(weaver.Component):
    @weaver.not_retriable
    async def place(self, order: str, amount: int) -> None: ...


class OrdersImpl(weaver.Implements[Orders], weaver.WithConfig[OrdersConfig]):
    wallet: weaver.Ref[Wallet]

    async def place(self, order: str, amount: int) -> None:
        if self.config.propagate_deadline:
            await self.wallet.debit(order, amount)
            return
        # BUG: a fresh context drops the caller's deadline (and metadata).
        await asyncio.create_task(self.wallet.debit(order, amount), context=contextvars.Context())
