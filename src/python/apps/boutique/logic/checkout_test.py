"""Tests of PlaceOrder's sequence of calls and its totals."""

from typing import Any

from apps.boutique.logic.cart import CartLogic, CartStoreLogic
from apps.boutique.logic.catalog import CatalogLogic
from apps.boutique.logic.checkout import CheckoutLogic
from apps.boutique.logic.currency import CurrencyLogic
from apps.boutique.logic.payment import PaymentLogic
from apps.boutique.logic.recording import Recorder
from apps.boutique.logic.shipping import ShippingLogic
from apps.boutique.model import Address, CartItem, CreditCardInfo, Money


class FailingEmail:
    async def send_order_confirmation(self, email: str, order: Any) -> None:
        raise RuntimeError("smtp down")


async def test_place_order_sequence_and_total() -> None:
    log: list[str] = []
    cart = CartLogic(CartStoreLogic())
    await cart.add_item("u", CartItem("OLJCESPC7Z", 2))
    await cart.add_item("u", CartItem("9SIQT8TOJO", 1))
    charged: list[Money] = []

    class Payment:
        async def charge(self, amount: Money, card: CreditCardInfo) -> str:
            charged.append(amount)
            return await PaymentLogic().charge(amount, card)

    checkout = CheckoutLogic(
        Recorder("cart", cart, log),
        Recorder("catalog", CatalogLogic(), log),
        Recorder("currency", CurrencyLogic(), log),
        Recorder("shipping", ShippingLogic(), log),
        Recorder("payment", Payment(), log),
        Recorder("email", FailingEmail(), log),
    )
    card = CreditCardInfo("4432-8015-6152-0454", 672, 2039, 1)
    order = await checkout.place_order("u", "USD", Address(city="Mountain View"), "a@b.c", card)
    assert log == [
        "cart.get_cart",
        "catalog.get_product",
        "currency.convert",
        "catalog.get_product",
        "currency.convert",
        "shipping.get_quote",
        "currency.convert",
        "payment.charge",
        "shipping.ship_order",
        "cart.empty_cart",
        "email.send_order_confirmation",
    ]
    assert len(order.items) == 2 and order.shipping_address.city == "Mountain View"
    # 2 x 19.99 + 5.49 + 8.99 = 54.46.
    assert charged[0].currency_code == "USD" and charged[0].units == 54
    assert (await cart.get_cart("u")).items == []
