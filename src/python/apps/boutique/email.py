"""EmailService component: order confirmations (rendered and logged, never sent)."""

from __future__ import annotations

import weaver
from apps.boutique.logic.email import EmailLogic
from apps.boutique.model import OrderResult


class EmailService(weaver.Component):
    """Emails to customers."""

    @weaver.not_retriable  # sends an email
    async def send_order_confirmation(self, email: str, order: OrderResult) -> None:
        """Send the confirmation of `order` to `email`."""
        ...


class EmailServiceImpl(weaver.Implements[EmailService]):
    """Delegates to the shared email logic."""

    async def init(self) -> None:
        self.logic = EmailLogic()

    async def send_order_confirmation(self, email: str, order: OrderResult) -> None:
        await self.logic.send_order_confirmation(email, order)
