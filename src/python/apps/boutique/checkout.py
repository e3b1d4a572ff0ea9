"""CheckoutService component: places orders by calling six other components."""

from __future__ import annotations

import weaver
from apps.boutique.cart import CartService
from apps.boutique.catalog import CatalogService
from apps.boutique.currency import CurrencyService
from apps.boutique.email import EmailService
from apps.boutique.logic.checkout import CheckoutLogic
from apps.boutique.model import Address, CreditCardInfo, OrderResult
from apps.boutique.payment import PaymentService
from apps.boutique.shipping import ShippingService


class CheckoutService(weaver.Component):
    """Orders."""

    @weaver.not_retriable  # charges a card and ships
    async def place_order(
        self, user_id: str, user_currency: str, address: Address, email: str, card: CreditCardInfo
    ) -> OrderResult:
        """Place an order for the user's cart, charged in `user_currency`."""
        ...


class CheckoutServiceImpl(weaver.Implements[CheckoutService]):
    """Delegates to the shared checkout logic, with the components as its clients."""

    cart: weaver.Ref[CartService]
    catalog: weaver.Ref[CatalogService]
    currency: weaver.Ref[CurrencyService]
    shipping: weaver.Ref[ShippingService]
    payment: weaver.Ref[PaymentService]
    email: weaver.Ref[EmailService]

    async def init(self) -> None:
        self.logic = CheckoutLogic(self.cart, self.catalog, self.currency, self.shipping, self.payment, self.email)

    async def place_order(
        self, user_id: str, user_currency: str, address: Address, email: str, card: CreditCardInfo
    ) -> OrderResult:
        return await self.logic.place_order(user_id, user_currency, address, email, card)
