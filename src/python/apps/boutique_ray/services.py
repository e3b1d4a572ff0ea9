"""The ten backend services as Ray Serve deployments over the shared logic.

Each deployment is the service's logic class itself, or a subclass that builds its clients over
handles (the cart store's wraps the store chosen at start); plain classes, so that Ray pickles
them by reference. One replica each, pinned as the other variants pin one process per service,
with room for as many concurrent calls as the other baselines allow. Dependencies are reached
through deployment handles wrapped in `apps.boutique_ray.clients`. Each service is a Serve
application of its own, named like its process in the other baselines, so that the frontend
(outside Ray) and the services find each other by name.
"""

from __future__ import annotations

from typing import Any

from ray import serve
from ray.serve.deployment import Deployment
from ray.serve.handle import DeploymentHandle

from apps.boutique import model as domain
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
from apps.boutique_ray import clients as c

MAX_ONGOING_REQUESTS = 1000
"""Serve's default (5) would queue calls that the other baselines serve concurrently."""

PINNED: dict[str, Any] = {
    "num_replicas": 1,
    "max_ongoing_requests": MAX_ONGOING_REQUESTS,
    # No CPU reservation: ten replicas share the machine's cores as the other baselines' processes do.
    "ray_actor_options": {"num_cpus": 0},
    # The other baselines log no line per call either.
    "logging_config": {"enable_access_log": False},
}


def handle(name: str) -> DeploymentHandle[Any]:
    """The handle of service `name` (deployment and application share the name)."""
    return serve.get_deployment_handle(name, app_name=name)


class CartStore:
    """Carts in Redis when the launcher names one, else in this replica's memory."""

    def __init__(self) -> None:
        self.store = cart_store()

    async def get(self, user_id: str) -> list[domain.CartItem]:
        return await self.store.get(user_id)

    async def put(self, user_id: str, items: list[domain.CartItem]) -> None:
        await self.store.put(user_id, items)

    async def remove(self, user_id: str) -> bool:
        return await self.store.remove(user_id)


class Cart(CartLogic):
    def __init__(self) -> None:
        super().__init__(c.CartStoreRay(handle("cartstore")))


class Checkout(CheckoutLogic):
    def __init__(self) -> None:
        super().__init__(
            c.CartRay(handle("cart")), c.CatalogRay(handle("catalog")), c.CurrencyRay(handle("currency")),
            c.ShippingRay(handle("shipping")), c.PaymentRay(handle("payment")), c.EmailRay(handle("email")),
        )  # fmt: skip


class Recommendation(RecommendationLogic):
    def __init__(self) -> None:
        super().__init__(c.CatalogRay(handle("catalog")))


CLASSES: dict[str, type] = {
    "cartstore": CartStore, "cart": Cart, "catalog": CatalogLogic, "currency": CurrencyLogic,
    "payment": PaymentLogic, "shipping": ShippingLogic, "email": EmailLogic, "checkout": Checkout,
    "recommendation": Recommendation, "ad": AdLogic,
}  # fmt: skip
"""By service name, each after the services it calls (the order they are deployed in)."""


def deployments() -> dict[str, Deployment]:
    """Each service's class as a deployment named like the service, pinned as above."""
    return {name: serve.deployment(name=name, **PINNED)(cls) for name, cls in CLASSES.items()}
