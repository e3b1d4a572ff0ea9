"""The shop's cart store: one contract for the in-memory and the Redis store, and Redis errors.

The Redis store runs against a real redis-server started by the `redis` fixture.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from apps.boutique.logic.cart import CartLogic, CartStoreLogic
from apps.boutique.logic.redisstore import KEY_PREFIX, CartDataError, CartStoreUnavailable, RedisCartStore
from apps.boutique.model import CartItem
from apps.boutique.services import CartStoreClient
from support.redis_server import RedisServer, free_port


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[CartStoreClient]:
    if request.param == "memory":
        yield CartStoreLogic()
        return
    server: RedisServer = request.getfixturevalue("redis")
    client = RedisCartStore(server.host, server.port)
    try:
        yield client
    finally:
        await client.close()


def user() -> str:
    return f"user-{uuid.uuid4()}"


async def test_a_new_user_has_an_empty_cart(store: CartStoreClient) -> None:
    assert await store.get(user()) == []
    assert await store.remove(user()) is False


async def test_put_replaces_and_remove_forgets(store: CartStoreClient) -> None:
    u = user()
    await store.put(u, [CartItem("OLJCESPC7Z", 1)])
    await store.put(u, [CartItem("66VCHSJNUP", 2), CartItem("1YMWWN1N4O", 3)])
    assert await store.get(u) == [CartItem("66VCHSJNUP", 2), CartItem("1YMWWN1N4O", 3)]
    assert await store.remove(u) is True
    assert await store.get(u) == []


async def test_the_cart_logic_merges_quantities_over_either_store(store: CartStoreClient) -> None:
    carts = CartLogic(store)
    u = user()
    await carts.add_item(u, CartItem("OLJCESPC7Z", 1))
    await carts.add_item(u, CartItem("OLJCESPC7Z", 4))
    await carts.add_item(u, CartItem("66VCHSJNUP", 1))
    assert (await carts.get_cart(u)).items == [CartItem("OLJCESPC7Z", 5), CartItem("66VCHSJNUP", 1)]
    await carts.empty_cart(u)
    assert (await carts.get_cart(u)).items == []


async def test_redis_down_is_an_error_naming_its_address() -> None:
    port = free_port()  # nothing listens there
    client = RedisCartStore("127.0.0.1", port, timeout=1.0)
    try:
        with pytest.raises(CartStoreUnavailable, match=f"cart store at redis 127.0.0.1:{port}"):
            await client.get(user())
        with pytest.raises(CartStoreUnavailable, match=f"127.0.0.1:{port}"):
            await client.put(user(), [CartItem("OLJCESPC7Z", 1)])
    finally:
        await client.close()


async def test_a_cart_this_version_cannot_read_names_the_key(redis: RedisServer) -> None:
    raw = aioredis.Redis(host=redis.host, port=redis.port)
    client = RedisCartStore(redis.host, redis.port)
    u = user()
    try:
        await raw.set(KEY_PREFIX + u, b'[{"product": "OLJCESPC7Z", "count": 1}]')  # another schema
        with pytest.raises(CartDataError, match=f"key '{KEY_PREFIX}{u}'"):
            await client.get(u)
    finally:
        await client.close()
        await raw.aclose()
