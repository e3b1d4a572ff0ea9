"""Which processes the baseline runs, who calls whom, and where each one listens."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import grpc

from apps.boutique.frontend.services import FrontendServices
from apps.boutique.logic.ad import AdLogic
from apps.boutique.logic.cart import CartLogic, CartStoreLogic
from apps.boutique.logic.catalog import CatalogLogic
from apps.boutique.logic.checkout import CheckoutLogic
from apps.boutique.logic.currency import CurrencyLogic
from apps.boutique.logic.email import EmailLogic
from apps.boutique.logic.payment import PaymentLogic
from apps.boutique.logic.recommendation import RecommendationLogic
from apps.boutique.logic.redisstore import RedisCartStore
from apps.boutique.logic.shipping import ShippingLogic
from apps.boutique.services import CartStoreClient
from apps.boutique_grpc import clients, servicers
from apps.boutique_grpc.stubs import pb_grpc
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

Channels = dict[str, Any]  # name -> grpc.aio.Channel


def ports_from_base(base_port: int) -> dict[str, int]:
    """The frontend's HTTP port is `base_port`; the services follow it in SERVICES order."""
    return {FRONTEND: base_port, **{name: base_port + 1 + i for i, name in enumerate(SERVICES)}}


def open_channels(names: tuple[str, ...], ports: dict[str, int]) -> Channels:
    """One insecure channel per dependency, to 127.0.0.1."""
    return {n: grpc.aio.insecure_channel(f"{HOST}:{ports[n]}") for n in names}


def frontend_services(ch: Channels) -> FrontendServices:
    """The frontend's clients over gRPC."""
    return FrontendServices(
        catalog=clients.CatalogGrpc(ch["catalog"]),
        currency=clients.CurrencyGrpc(ch["currency"]),
        cart=clients.CartGrpc(ch["cart"]),
        recommendation=clients.RecommendationGrpc(ch["recommendation"]),
        shipping=clients.ShippingGrpc(ch["shipping"]),
        checkout=clients.CheckoutGrpc(ch["checkout"]),
        ad=clients.AdGrpc(ch["ad"]),
    )


REDIS_ENV = "BOUTIQUE_REDIS"
"""host:port of the Redis the cart store keeps carts in, as the weaver shop's `redis` key does."""


def cart_store() -> CartStoreClient:
    """The carts in Redis when REDIS_ENV names one (the same store the weaver shop uses), else memory."""
    address = os.environ.get(REDIS_ENV)
    if not address:
        return CartStoreLogic()
    host, port = parse_address(address, what=REDIS_ENV)
    return RedisCartStore(host, port)


def servicer(name: str, ch: Channels) -> tuple[Any, Callable[[Any, grpc.aio.Server], None]]:
    """Service `name`'s servicer over the shared logic, and the function registering it."""
    g = pb_grpc
    if name == "cartstore":
        return servicers.CartStoreServicer(cart_store()), g.add_CartStoreServicer_to_server
    if name == "cart":
        logic = CartLogic(clients.CartStoreGrpc(ch["cartstore"]))
        return servicers.CartServicer(logic), g.add_CartServiceServicer_to_server
    if name == "catalog":
        return servicers.CatalogServicer(CatalogLogic()), g.add_ProductCatalogServiceServicer_to_server
    if name == "currency":
        return servicers.CurrencyServicer(CurrencyLogic()), g.add_CurrencyServiceServicer_to_server
    if name == "payment":
        return servicers.PaymentServicer(PaymentLogic()), g.add_PaymentServiceServicer_to_server
    if name == "shipping":
        return servicers.ShippingServicer(ShippingLogic()), g.add_ShippingServiceServicer_to_server
    if name == "email":
        return servicers.EmailServicer(EmailLogic()), g.add_EmailServiceServicer_to_server
    if name == "checkout":
        logic2 = CheckoutLogic(
            clients.CartGrpc(ch["cart"]),
            clients.CatalogGrpc(ch["catalog"]),
            clients.CurrencyGrpc(ch["currency"]),
            clients.ShippingGrpc(ch["shipping"]),
            clients.PaymentGrpc(ch["payment"]),
            clients.EmailGrpc(ch["email"]),
        )
        return servicers.CheckoutServicer(logic2), g.add_CheckoutServiceServicer_to_server
    if name == "recommendation":
        logic3 = RecommendationLogic(clients.CatalogGrpc(ch["catalog"]))
        return servicers.RecommendationServicer(logic3), g.add_RecommendationServiceServicer_to_server
    if name == "ad":
        return servicers.AdServicer(AdLogic()), g.add_AdServiceServicer_to_server
    raise ValueError(f"unknown service {name!r}")
