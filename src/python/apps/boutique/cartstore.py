"""CartStore component: carts by user id, routed so that one user's cart lives on one replica.

The stand-in for the original's Redis, as in Service Weaver's Go port.
"""

from __future__ import annotations

import weaver
from apps.boutique.logic.cart import CartStoreLogic
from apps.boutique.model import CartItem


class CartStore(weaver.Component):
    """A key-value store of cart items."""

    @weaver.routed(by="user_id")
    async def get(self, user_id: str) -> list[CartItem]:
        """The items stored for `user_id` (empty if none)."""
        ...

    @weaver.routed(by="user_id")
    async def put(self, user_id: str, items: list[CartItem]) -> None:
        """Replace the items stored for `user_id`."""
        ...

    @weaver.routed(by="user_id")
    async def remove(self, user_id: str) -> bool:
        """Forget `user_id`'s items; True if there were any."""
        ...


class CartStoreImpl(weaver.Implements[CartStore]):
    """In memory, per replica."""

    async def init(self) -> None:
        self.logic = CartStoreLogic()

    async def get(self, user_id: str) -> list[CartItem]:
        return await self.logic.get(user_id)

    async def put(self, user_id: str, items: list[CartItem]) -> None:
        await self.logic.put(user_id, items)

    async def remove(self, user_id: str) -> bool:
        return await self.logic.remove(user_id)
