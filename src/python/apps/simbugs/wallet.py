"""Wallet: debits, recorded with their virtual time. `debit_retriable` is the planted bug."""

from __future__ import annotations

import asyncio

import weaver


class Wallet(weaver.Component):
    # BUG: debiting is not idempotent, yet this method is left retriable.
    async def debit_retriable(self, order: str, amount: int) -> None: ...

    @weaver.not_retriable
    async def debit(self, order: str, amount: int) -> None: ...


class WalletImpl(weaver.Implements[Wallet]):
    def __init__(self) -> None:
        self.debits: list[tuple[str, int, float]] = []
        """(order, amount, when) for every debit made."""

    async def debit_retriable(self, order: str, amount: int) -> None:
        await self.debit(order, amount)

    async def debit(self, order: str, amount: int) -> None:
        self.debits.append((order, amount, asyncio.get_running_loop().time()))
