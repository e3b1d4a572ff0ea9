"""PaymentService component: charges cards."""

from __future__ import annotations

import weaver
from apps.boutique.logic.payment import PaymentLogic
from apps.boutique.model import CreditCardInfo, Money


class PaymentService(weaver.Component):
    """Card payments."""

    @weaver.not_retriable  # a charge must happen at most once
    async def charge(self, amount: Money, card: CreditCardInfo) -> str:
        """Charge `amount` to `card`; returns a transaction id."""
        ...


class PaymentServiceImpl(weaver.Implements[PaymentService]):
    """Delegates to the shared payment logic."""

    async def init(self) -> None:
        self.logic = PaymentLogic()

    async def charge(self, amount: Money, card: CreditCardInfo) -> str:
        return await self.logic.charge(amount, card)
