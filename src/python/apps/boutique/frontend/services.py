"""The backends the frontend calls, as one bundle of protocol-typed clients."""

from __future__ import annotations

from dataclasses import dataclass

from apps.boutique.services import (
    AdClient,
    CartClient,
    CatalogClient,
    CheckoutClient,
    CurrencyClient,
    RecommendationClient,
    ShippingClient,
)


@dataclass(frozen=True)
class FrontendServices:
    """The seven services the frontend talks to; any transport that satisfies the protocols."""

    catalog: CatalogClient
    currency: CurrencyClient
    cart: CartClient
    recommendation: RecommendationClient
    shipping: ShippingClient
    checkout: CheckoutClient
    ad: AdClient
