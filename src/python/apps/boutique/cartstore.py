"""CartStore component: carts by user id, in Redis when configured, else in the replica's memory.

With `[apps.boutique.cartstore.CartStore] redis = "host:port"` carts live in Redis, as in the
original shop, and outlive a version: during a rollout the new version reads the carts the old
one wrote. Without it, carts live in memory (routed by user id, so one user's cart lives on one
replica), which is enough on a laptop and in tests, and is lost when the version stops.
"""

from __future__ import annotations

import msgspec

import weaver
from apps.boutique.logic.cart import CartStoreLogic
from apps.boutique.logic.redisstore import RedisCartStore
from apps.boutique.model import CartItem
from apps.boutique.services import CartStoreClient
from weaver.internal.address import AddressError, parse_address

SECTION = "apps.boutique.cartstore.CartStore"


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


class CartStoreConfig(msgspec.Struct, forbid_unknown_fields=True):
    redis: str = ""
    """`host:port` of the Redis server holding the carts; empty: keep carts in memory."""


class CartStoreImpl(weaver.Implements[CartStore], weaver.WithConfig[CartStoreConfig]):
    """Redis when configured (checked at start: a wrong address fails the replica, loudly)."""

    async def init(self) -> None:
        self.logic: CartStoreClient = CartStoreLogic()
        self._redis: RedisCartStore | None = None
        if self.config.redis:
            try:
                host, port = parse_address(self.config.redis, what=f"config [{SECTION}] key 'redis'")
            except AddressError as e:
                raise weaver.ConfigError(str(e)) from None
            self._redis = RedisCartStore(host, port)
            await self._redis.ping()
            self.logic = self._redis

    async def shutdown(self) -> None:
        if self._redis is not None:
            await self._redis.close()

    async def get(self, user_id: str) -> list[CartItem]:
        return await self.logic.get(user_id)

    async def put(self, user_id: str, items: list[CartItem]) -> None:
        await self.logic.put(user_id, items)

    async def remove(self, user_id: str) -> bool:
        return await self.logic.remove(user_id)
