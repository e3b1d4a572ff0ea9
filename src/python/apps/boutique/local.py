"""All services wired in-process with plain awaits and no framework: the reference variant.

Used by tests as the expected behaviour that every transport must reproduce.
"""

from __future__ import annotations

from apps.boutique.frontend.services import FrontendServices
from apps.boutique.logic.ad import AdLogic
from apps.boutique.logic.cart import CartLogic, CartStoreLogic
from apps.boutique.logic.catalog import CatalogLogic
from apps.boutique.logic.checkout import CheckoutLogic
from apps.boutique.logic.currency import CurrencyLogic
from apps.boutique.logic.email import EmailLogic
from apps.boutique.logic.payment import PaymentLogic
from apps.boutique.logic.recommendation import RecommendationLogic
from apps.boutique.logic.shipping import ShippingLogic


def local_services() -> FrontendServices:
    """Fresh logic objects for every service, calling each other directly."""
    catalog = CatalogLogic()
    currency = CurrencyLogic()
    cart = CartLogic(CartStoreLogic())
    shipping = ShippingLogic()
    checkout = CheckoutLogic(cart, catalog, currency, shipping, PaymentLogic(), EmailLogic())
    return FrontendServices(
        catalog=catalog,
        currency=currency,
        cart=cart,
        recommendation=RecommendationLogic(catalog),
        shipping=shipping,
        checkout=checkout,
        ad=AdLogic(),
    )
