"""The main component: the shared frontend served on the `boutique` HTTP listener."""

from __future__ import annotations

import weaver
from apps.boutique.ad import AdService
from apps.boutique.cart import CartService
from apps.boutique.catalog import CatalogService
from apps.boutique.checkout import CheckoutService
from apps.boutique.currency import CurrencyService
from apps.boutique.frontend.app import HTTP_SERVER, make_app
from apps.boutique.frontend.services import FrontendServices
from apps.boutique.recommendation import RecommendationService
from apps.boutique.shipping import ShippingService


class Frontend(weaver.Implements[weaver.Main]):
    """Serves the shop; every backend call goes through a `Ref` (a plain await if co-located)."""

    boutique: weaver.Listener
    catalog: weaver.Ref[CatalogService]
    currency: weaver.Ref[CurrencyService]
    cart: weaver.Ref[CartService]
    recommendation: weaver.Ref[RecommendationService]
    shipping: weaver.Ref[ShippingService]
    checkout: weaver.Ref[CheckoutService]
    ad: weaver.Ref[AdService]

    def services(self) -> FrontendServices:
        """The refs, as the frontend's clients."""
        return FrontendServices(
            catalog=self.catalog,
            currency=self.currency,
            cart=self.cart,
            recommendation=self.recommendation,
            shipping=self.shipping,
            checkout=self.checkout,
            ad=self.ad,
        )

    async def main(self) -> None:
        self.logger.info("boutique serving on http://%s", self.boutique.address)
        await self.boutique.serve_asgi(make_app(self.services()), server=HTTP_SERVER)
