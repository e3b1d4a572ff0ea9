"""Carts: an in-memory store keyed by user id, and the cart service over any store."""

from __future__ import annotations

from apps.boutique.model import Cart, CartItem
from apps.boutique.services import CartStoreClient


class CartStoreLogic:
    """The store (a stand-in for Redis); in weaver, a component routed by user id."""

    def __init__(self) -> None:
        self._carts: dict[str, list[CartItem]] = {}

    async def get(self, user_id: str) -> list[CartItem]:
        return list(self._carts.get(user_id, ()))

    async def put(self, user_id: str, items: list[CartItem]) -> None:
        self._carts[user_id] = list(items)

    async def remove(self, user_id: str) -> bool:
        return self._carts.pop(user_id, None) is not None


class CartLogic:
    """AddItem (merging quantities), GetCart and EmptyCart over a store."""

    def __init__(self, store: CartStoreClient) -> None:
        self._store = store

    async def add_item(self, user_id: str, item: CartItem) -> None:
        items = await self._store.get(user_id)
        for i, existing in enumerate(items):
            if existing.product_id == item.product_id:
                items[i] = CartItem(item.product_id, existing.quantity + item.quantity)
                break
        else:
            items.append(CartItem(item.product_id, item.quantity))
        await self._store.put(user_id, items)

    async def get_cart(self, user_id: str) -> Cart:
        return Cart(user_id, await self._store.get(user_id))

    async def empty_cart(self, user_id: str) -> None:
        await self._store.remove(user_id)
