"""Carts in Redis, as the original Online Boutique keeps them: shared by every version of the shop.

One key per user (`cart:<user id>`) holding the cart's items as JSON; a put replaces the value
in one command, so readers see the old or the new cart, never a mix. Any version of the shop
reading the key must decode what any other version wrote: the stored form is the `CartItem`
struct's JSON, so a change to it is a cross-version change (see docs/state-across-versions.md).
"""

from __future__ import annotations

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from apps.boutique.model import CartItem

KEY_PREFIX = "cart:"

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(list[CartItem])


class CartStoreUnavailable(Exception):
    """Redis could not be reached or answered with an error; the message names its address."""


class CartDataError(Exception):
    """A stored cart this version cannot decode; names the key."""


class RedisCartStore:
    """The `CartStoreClient` protocol over a Redis server at `host:port`."""

    def __init__(self, host: str, port: int, *, timeout: float = 2.0) -> None:
        self.address = f"{host}:{port}"
        self._redis = aioredis.Redis(host=host, port=port, socket_timeout=timeout, socket_connect_timeout=timeout)

    async def get(self, user_id: str) -> list[CartItem]:
        key = KEY_PREFIX + user_id
        try:
            raw = await self._redis.get(key)
        except RedisError as e:
            raise CartStoreUnavailable(f"cart store at redis {self.address}: {e}") from None
        if raw is None:
            return []
        try:
            return _decoder.decode(raw)
        except msgspec.DecodeError as e:
            raise CartDataError(f"redis {self.address} key {key!r}: not a cart this version can read ({e})") from None

    async def put(self, user_id: str, items: list[CartItem]) -> None:
        try:
            await self._redis.set(KEY_PREFIX + user_id, _encoder.encode(items))
        except RedisError as e:
            raise CartStoreUnavailable(f"cart store at redis {self.address}: {e}") from None

    async def remove(self, user_id: str) -> bool:
        try:
            removed: int = await self._redis.delete(KEY_PREFIX + user_id)
        except RedisError as e:
            raise CartStoreUnavailable(f"cart store at redis {self.address}: {e}") from None
        return removed > 0

    async def ping(self) -> None:
        """Raise CartStoreUnavailable unless the server answers."""
        try:
            await self._redis.ping()
        except RedisError as e:
            raise CartStoreUnavailable(f"cart store at redis {self.address}: {e}") from None

    async def close(self) -> None:
        await self._redis.aclose()
