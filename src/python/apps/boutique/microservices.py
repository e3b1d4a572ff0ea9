"""The shop as microservices, whatever the transport: its processes, who calls whom, ports.

Shared by the baselines (`apps.boutique_grpc`, `apps.boutique_http`): ten service processes and
the frontend, each on its own port of 127.0.0.1, and the cart store in Redis when REDIS_ENV
names one (the store the weaver shop uses), else in the cart store process's memory.
"""

from __future__ import annotations

import os

from apps.boutique.logic.cart import CartStoreLogic
from apps.boutique.logic.redisstore import RedisCartStore
from apps.boutique.services import CartStoreClient
from weaver.internal.address import parse_address

HOST = "127.0.0.1"
FRONTEND = "frontend"
SERVICES = (
    "cartstore",
    "cart",
    "catalog",
    "currency",
    "payment",
    "shipping",
    "email",
    "checkout",
    "recommendation",
    "ad",
)
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "cart": ("cartstore",),
    "checkout": ("cart", "catalog", "currency", "shipping", "payment", "email"),
    "recommendation": ("catalog",),
    FRONTEND: ("catalog", "currency", "cart", "recommendation", "shipping", "checkout", "ad"),
}
REDIS_ENV = "BOUTIQUE_REDIS"
"""host:port of the Redis the cart store keeps carts in, as the weaver shop's `redis` key does."""


def ports_from_base(base_port: int) -> dict[str, int]:
    """The frontend's HTTP port is `base_port`; the services follow it in SERVICES order."""
    return {FRONTEND: base_port, **{name: base_port + 1 + i for i, name in enumerate(SERVICES)}}


def cart_store() -> CartStoreClient:
    """The carts in Redis when REDIS_ENV names one, else in memory."""
    address = os.environ.get(REDIS_ENV)
    if not address:
        return CartStoreLogic()
    host, port = parse_address(address, what=REDIS_ENV)
    return RedisCartStore(host, port)
