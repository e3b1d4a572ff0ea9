"""ShippingService component: quotes and shipments."""

from __future__ import annotations

import weaver
from apps.boutique.logic.shipping import ShippingLogic
from apps.boutique.model import Address, CartItem, Money


class ShippingService(weaver.Component):
    """Shipping."""

    async def get_quote(self, address: Address, items: list[CartItem]) -> Money:
        """The shipping cost in USD."""
        ...

    @weaver.not_retriable  # ships a parcel
    async def ship_order(self, address: Address, items: list[CartItem]) -> str:
        """Ship the items; returns a tracking id."""
        ...


class ShippingServiceImpl(weaver.Implements[ShippingService]):
    """Delegates to the shared shipping logic."""

    async def init(self) -> None:
        self.logic = ShippingLogic()

    async def get_quote(self, address: Address, items: list[CartItem]) -> Money:
        return await self.logic.get_quote(address, items)

    async def ship_order(self, address: Address, items: list[CartItem]) -> str:
        return await self.logic.ship_order(address, items)
