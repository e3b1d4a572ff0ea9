"""The baselines' cart store is the Redis store the weaver shop uses when BOUTIQUE_REDIS is set."""

from __future__ import annotations

import pytest

from apps.boutique.logic.cart import CartStoreLogic
from apps.boutique.logic.redisstore import RedisCartStore
from apps.boutique.microservices import REDIS_ENV, cart_store
from apps.boutique.model import CartItem
from support.redis_server import redis_server


async def test_carts_in_redis_when_named(monkeypatch: pytest.MonkeyPatch) -> None:
    with redis_server() as server:
        monkeypatch.setenv(REDIS_ENV, server.address)
        store = cart_store()
        assert isinstance(store, RedisCartStore)
        await store.put("u1", [CartItem("OLJCESPC7Z", 2)])
        assert await RedisCartStore(server.host, server.port).get("u1") == [CartItem("OLJCESPC7Z", 2)]


def test_carts_in_memory_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REDIS_ENV, raising=False)
    assert isinstance(cart_store(), CartStoreLogic)
    monkeypatch.setenv(REDIS_ENV, "nohost")
    with pytest.raises(ValueError, match="BOUTIQUE_REDIS 'nohost' is not host:port"):
        cart_store()
