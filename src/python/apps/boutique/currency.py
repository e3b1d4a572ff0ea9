"""CurrencyService component: supported currencies and conversion (the busiest service)."""

from __future__ import annotations

import weaver
from apps.boutique.logic.currency import CurrencyLogic
from apps.boutique.model import Money


class CurrencyService(weaver.Component):
    """Currency codes and conversion."""

    async def get_supported_currencies(self) -> list[str]:
        """The 33 supported ISO codes."""
        ...

    async def convert(self, amount: Money, to_code: str) -> Money:
        """`amount` converted to currency `to_code`."""
        ...


class CurrencyServiceImpl(weaver.Implements[CurrencyService]):
    """Delegates to the shared currency logic."""

    async def init(self) -> None:
        self.logic = CurrencyLogic()

    async def get_supported_currencies(self) -> list[str]:
        return await self.logic.get_supported_currencies()

    async def convert(self, amount: Money, to_code: str) -> Money:
        return await self.logic.convert(amount, to_code)
