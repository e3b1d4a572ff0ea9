"""The shop (apps.boutique, split: one process per component) under faults on real processes.

Checkout charges a card at most once per order, and empties the cart only after a charge that
succeeded: a lost charge reply, a failed or delayed charge, or a lost shipping reply must each
leave the cart as it was, with the charge counted where requests reach PaymentService.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

import weaver
from apps.boutique.cart import CartService
from apps.boutique.checkout import CheckoutService
from apps.boutique.model import Address, CartItem, CreditCardInfo, OrderResult
from apps.boutique.payment import PaymentService
from apps.boutique.shipping import ShippingService
from weaver.errors import DeadlineExceeded, WeaverError
from weaver.internal.appload import load_app
from weaver.testing.eventually import eventually
from weaver.testing.multimode import MultiApp, start_multi

SPLIT = {"weaver": {"name": "boutique", "colocate": []}}
CARD = CreditCardInfo("4432801561520454", 123, 2039, 1)
ADDRESS = Address("1 Main St", "Springfield", "CA", "US", 94043)
HAT = CartItem("66VCHSJNUP", 2)


@asynccontextmanager
async def shop() -> AsyncIterator[MultiApp]:
    load_app("apps.boutique")
    async with start_multi("apps.boutique", SPLIT, replicas=1, faults=True) as app:  # 11 processes
        yield app


async def test_checkout_charges_once_and_empties_the_cart_only_after_a_charge() -> None:
    async with shop() as app:
        cart, checkout = app.get(CartService), app.get(CheckoutService)
        chaos = app.chaos

        def charges() -> int:
            return chaos.forwarded(PaymentService, "charge", caller=CheckoutService)

        async def place(user: str) -> OrderResult:
            async with weaver.deadline(10):
                return await checkout.place_order(user, "USD", ADDRESS, f"{user}@example.com", CARD)

        async def items(user: str) -> list[CartItem]:
            return (await cart.get_cart(user)).items

        await cart.add_item("ann", HAT)

        # The charge runs, its reply is lost: charged once (never retried), the cart is kept.
        chaos.fail_after(PaymentService, caller=CheckoutService, times=1)
        with pytest.raises(WeaverError, match="CommunicationError"):
            await place("ann")
        assert charges() == 1 and await items("ann") == [HAT]
        assert chaos.forwarded(ShippingService, "ship_order") == 0

        # The charge fails before Payment sees it: nothing charged, the cart is kept.
        chaos.fail_before(PaymentService, caller=CheckoutService)
        with pytest.raises(WeaverError, match="CommunicationError"):
            await place("ann")
        assert charges() == 1 and await items("ann") == [HAT]

        # The charge is held past the order's deadline: a deadline error, never charged.
        chaos.delay(PaymentService, 30.0, caller=CheckoutService)
        with pytest.raises(DeadlineExceeded):
            async with weaver.deadline(1.0):
                await checkout.place_order("ann", "USD", ADDRESS, "ann@example.com", CARD)
        await eventually(lambda: chaos.held(PaymentService) == 0, timeout=10, what="Checkout's cancel")
        assert charges() == 1 and await items("ann") == [HAT]

        # Charged and shipped, but the shipping reply is lost: charged once, the cart is kept.
        chaos.heal()
        chaos.fail_after(ShippingService, caller=CheckoutService, times=1, method="ship_order")
        with pytest.raises(WeaverError, match="CommunicationError"):
            await place("ann")
        assert charges() == 2 and await items("ann") == [HAT]
        assert chaos.forwarded(ShippingService, "ship_order") == 1

        # Healed: one order, one more charge, and only then the cart is emptied.
        chaos.heal()
        empties = chaos.forwarded(CartService, "empty_cart", caller=CheckoutService)
        order = await place("ann")
        assert order.items and order.items[0].item == HAT
        assert charges() == 3 and await items("ann") == []
        assert chaos.forwarded(CartService, "empty_cart", caller=CheckoutService) == empties + 1
