"""CartService component: AddItem, GetCart, EmptyCart over the CartStore."""

from __future__ import annotations

import weaver
from apps.boutique.cartstore import CartStore
from apps.boutique.logic.cart import CartLogic
from apps.boutique.model import Cart, CartItem


class CartService(weaver.Component):
    """Users' shopping carts."""

    @weaver.not_retriable  # adds a quantity: twice would add twice
    async def add_item(self, user_id: str, item: CartItem) -> None:
        """Add `item` to the cart, merging quantities of the same product."""
        ...

    async def get_cart(self, user_id: str) -> Cart:
        """The user's cart."""
        ...

    async def empty_cart(self, user_id: str) -> None:
        """Remove every item from the user's cart."""
        ...


class CartServiceImpl(weaver.Implements[CartService]):
    """Delegates to the shared cart logic."""

    store: weaver.Ref[CartStore]

    async def init(self) -> None:
        self.logic = CartLogic(self.store)

    async def add_item(self, user_id: str, item: CartItem) -> None:
        await self.logic.add_item(user_id, item)

    async def get_cart(self, user_id: str) -> Cart:
        return await self.logic.get_cart(user_id)

    async def empty_cart(self, user_id: str) -> None:
        await self.logic.empty_cart(user_id)
