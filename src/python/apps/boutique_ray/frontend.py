"""The Ray baseline's frontend: the shared ASGI frontend over deployment handles, on the same
HTTP server as every other variant (weaver's lean server), in the Ray driver process."""

from __future__ import annotations

from apps.boutique.frontend.services import FrontendServices
from apps.boutique.microservices import HOST
from apps.boutique_grpc import process
from apps.boutique_ray import clients as c
from apps.boutique_ray.services import handle


def frontend_services() -> FrontendServices:
    """The frontend's clients over the deployments' handles (the driver must be connected)."""
    return FrontendServices(
        catalog=c.CatalogRay(handle("catalog")),
        currency=c.CurrencyRay(handle("currency")),
        cart=c.CartRay(handle("cart")),
        recommendation=c.RecommendationRay(handle("recommendation")),
        shipping=c.ShippingRay(handle("shipping")),
        checkout=c.CheckoutRay(handle("checkout")),
        ad=c.AdRay(handle("ad")),
    )


async def serve(port: int) -> None:
    """Serve HTTP on 127.0.0.1:`port` until a stop signal (the handles need no closing)."""

    async def close() -> None:
        return None

    await process.serve_frontend(frontend_services(), HOST, port, close)
