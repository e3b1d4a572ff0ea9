"""Which FastAPI app each process serves, over which httpx clients (the names and the call graph
are the gRPC baseline's: `apps.boutique.microservices`)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi import FastAPI

from apps.boutique.frontend.services import FrontendServices
from apps.boutique.logic.ad import AdLogic
from apps.boutique.logic.cart import CartLogic
from apps.boutique.logic.catalog import CatalogLogic
from apps.boutique.logic.checkout import CheckoutLogic
from apps.boutique.logic.currency import CurrencyLogic
from apps.boutique.logic.email import EmailLogic
from apps.boutique.logic.payment import PaymentLogic
from apps.boutique.logic.recommendation import RecommendationLogic
from apps.boutique.logic.shipping import ShippingLogic
from apps.boutique.microservices import cart_store
from apps.boutique_http import clients as c
from apps.boutique_http import services

Clients = dict[str, httpx.AsyncClient]


def open_clients(names: tuple[str, ...], ports: dict[str, int]) -> Clients:
    """One pooled client per dependency."""
    return {n: c.client(ports[n]) for n in names}


def frontend_services(h: Clients) -> FrontendServices:
    """The frontend's clients over HTTP/JSON."""
    return FrontendServices(
        catalog=c.CatalogHttp(h["catalog"]),
        currency=c.CurrencyHttp(h["currency"]),
        cart=c.CartHttp(h["cart"]),
        recommendation=c.RecommendationHttp(h["recommendation"]),
        shipping=c.ShippingHttp(h["shipping"]),
        checkout=c.CheckoutHttp(h["checkout"]),
        ad=c.AdHttp(h["ad"]),
    )


BUILDERS: dict[str, Callable[[Clients], FastAPI]] = {
    "cartstore": lambda h: services.cartstore(cart_store()),
    "cart": lambda h: services.cart(CartLogic(c.CartStoreHttp(h["cartstore"]))),
    "catalog": lambda h: services.catalog(CatalogLogic()),
    "currency": lambda h: services.currency(CurrencyLogic()),
    "payment": lambda h: services.payment(PaymentLogic()),
    "shipping": lambda h: services.shipping(ShippingLogic()),
    "email": lambda h: services.email(EmailLogic()),
    "checkout": lambda h: services.checkout(
        CheckoutLogic(c.CartHttp(h["cart"]), c.CatalogHttp(h["catalog"]), c.CurrencyHttp(h["currency"]),
                      c.ShippingHttp(h["shipping"]), c.PaymentHttp(h["payment"]), c.EmailHttp(h["email"]))  # fmt: skip
    ),
    "recommendation": lambda h: services.recommendation(RecommendationLogic(c.CatalogHttp(h["catalog"]))),
    "ad": lambda h: services.ad(AdLogic()),
}
