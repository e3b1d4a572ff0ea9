"""PlaceOrder: the order's call sequence, exactly as the original checkout service."""

from __future__ import annotations

import logging
import random

from apps.boutique.logic import money
from apps.boutique.logic.rand import make_rng, uuid4
from apps.boutique.model import Address, CreditCardInfo, Money, OrderItem, OrderResult
from apps.boutique.services import (
    CartClient,
    CatalogClient,
    CurrencyClient,
    EmailClient,
    PaymentClient,
    ShippingClient,
)

log = logging.getLogger("boutique.checkout")


class CheckoutLogic:
    """GetCart; per item GetProduct, Convert; GetQuote; Convert; Charge; ShipOrder;
    EmptyCart (error ignored); SendOrderConfirmation (failure only logged)."""

    def __init__(
        self,
        cart: CartClient,
        catalog: CatalogClient,
        currency: CurrencyClient,
        shipping: ShippingClient,
        payment: PaymentClient,
        email: EmailClient,
        rng: random.Random | None = None,
    ) -> None:
        self._cart = cart
        self._catalog = catalog
        self._currency = currency
        self._shipping = shipping
        self._payment = payment
        self._email = email
        self._rng = rng or make_rng("checkout")

    async def place_order(
        self,
        user_id: str,
        user_currency: str,
        address: Address,
        email: str,
        card: CreditCardInfo,
    ) -> OrderResult:
        order_id = uuid4(self._rng)
        cart = await self._cart.get_cart(user_id)
        items: list[OrderItem] = []
        for item in cart.items:
            product = await self._catalog.get_product(item.product_id)
            cost = await self._currency.convert(product.price_usd, user_currency)
            items.append(OrderItem(item=item, cost=cost))
        quote = await self._shipping.get_quote(address, cart.items)
        shipping_cost = await self._currency.convert(quote, user_currency)
        total = money.total([money.multiply(i.cost, i.item.quantity) for i in items], start=Money(user_currency, 0, 0))
        total = money.add(total, shipping_cost)
        await self._payment.charge(total, card)
        tracking_id = await self._shipping.ship_order(address, cart.items)
        try:
            await self._cart.empty_cart(user_id)
        except Exception:  # noqa: BLE001 - the original ignores this failure
            log.warning("failed to empty the cart of %s", user_id, exc_info=True)
        order = OrderResult(order_id, tracking_id, shipping_cost, address, items)
        try:
            await self._email.send_order_confirmation(email, order)
        except Exception:  # noqa: BLE001 - the original only logs this failure
            log.warning("failed to send the order confirmation to %s", email, exc_info=True)
        return order
