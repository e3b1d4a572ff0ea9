"""Carts outlive a version: two builds of the shop, side by side, share them through Redis.

During a rollout the old and the new version serve at once and then the old one stops; a user
re-pinned to the new version must find their cart. Both builds here run the shop's real
components (weaver.testing, local mode) against one real redis-server.
"""

from __future__ import annotations

import uuid

import pytest

import weaver
from apps.boutique.cart import CartService
from apps.boutique.logic.redisstore import CartStoreUnavailable
from apps.boutique.model import CartItem
from support.redis_server import RedisServer, free_port
from weaver import testing


def config(redis_address: str) -> dict[str, dict[str, str]]:
    return {"apps.boutique.cartstore.CartStore": {"redis": redis_address}}


async def test_a_cart_written_by_one_version_is_read_and_extended_by_the_other(redis: RedisServer) -> None:
    u = f"user-{uuid.uuid4()}"
    async with (
        testing.start("apps.boutique", config=config(redis.address)) as v1,
        testing.start("apps.boutique", config=config(redis.address)) as v2,
    ):
        await v1.get(CartService).add_item(u, CartItem("OLJCESPC7Z", 2))
        await v2.get(CartService).add_item(u, CartItem("OLJCESPC7Z", 1))
        await v2.get(CartService).add_item(u, CartItem("66VCHSJNUP", 1))
        assert (await v1.get(CartService).get_cart(u)).items == [CartItem("OLJCESPC7Z", 3), CartItem("66VCHSJNUP", 1)]
    async with testing.start("apps.boutique", config=config(redis.address)) as v3:  # both stopped: a new build
        assert (await v3.get(CartService).get_cart(u)).items == [CartItem("OLJCESPC7Z", 3), CartItem("66VCHSJNUP", 1)]
        await v3.get(CartService).empty_cart(u)
        assert (await v3.get(CartService).get_cart(u)).items == []


async def test_without_redis_each_build_has_its_own_carts() -> None:
    u = f"user-{uuid.uuid4()}"
    async with testing.start("apps.boutique") as v1, testing.start("apps.boutique") as v2:
        await v1.get(CartService).add_item(u, CartItem("OLJCESPC7Z", 2))
        assert (await v2.get(CartService).get_cart(u)).items == []


async def test_a_bad_redis_address_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(weaver.ConfigError, match=r"apps\.boutique\.cartstore\.CartStore\] key 'redis'"):
        async with testing.start("apps.boutique", config=config("localhost")) as app:
            await app.get(CartService).get_cart("u")


async def test_an_unreachable_redis_fails_the_start_naming_the_address() -> None:
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(CartStoreUnavailable, match=address):
        async with testing.start("apps.boutique", config=config(address)) as app:
            await app.get(CartService).get_cart("u")
