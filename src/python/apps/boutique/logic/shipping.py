"""Shipping: a flat 8.99 USD quote and tracking ids derived from the address."""

from __future__ import annotations

import random

from apps.boutique.logic.rand import make_rng
from apps.boutique.model import Address, CartItem, Money

QUOTE = Money("USD", 8, 990_000_000)


class ShippingLogic:
    """GetQuote and ShipOrder."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng = rng or make_rng("shipping")

    async def get_quote(self, address: Address, items: list[CartItem]) -> Money:
        return Money(QUOTE.currency_code, QUOTE.units, QUOTE.nanos)

    async def ship_order(self, address: Address, items: list[CartItem]) -> str:
        return self.tracking_id(f"{address.street_address}, {address.city}, {address.state}")

    def tracking_id(self, salt: str) -> str:
        """Two random letters, then numbers from the salt's length and random digits."""
        r = self._rng
        letters = "".join(chr(65 + r.randrange(25)) for _ in range(2))
        digits3 = "".join(str(r.randrange(10)) for _ in range(3))
        digits7 = "".join(str(r.randrange(10)) for _ in range(7))
        return f"{letters}-{len(salt)}{digits3}-{len(salt) // 2}{digits7}"
